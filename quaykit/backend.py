"""The S3 bucket that holds Pulumi state for `pulumi login s3://BUCKET`: created once, hardened, kept.

Each property is one small step that reads the current state and changes it only if it differs, so a
second run changes nothing. Bucket-policy statements are pure functions merged in one document.
"""
import json
from typing import Any, Callable

from botocore.exceptions import ClientError

Step = Callable[[Any, str], bool]  # (s3 client, bucket) -> changed?


def deny_insecure_transport(bucket: str) -> dict:
    return {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def deny_old_tls(bucket: str) -> dict:
    return {"Sid": "DenyTlsBelow12", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}}


def deny_bucket_deletion(bucket: str) -> dict:
    # Deleting the state bucket loses every stack: it takes removing this statement first, on purpose.
    return {"Sid": "DenyStateBucketDeletion", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket",
            "Resource": f"arn:aws:s3:::{bucket}"}


def state_bucket_policy(bucket: str) -> dict:
    statements = [deny_insecure_transport(bucket), deny_old_tls(bucket), deny_bucket_deletion(bucket)]
    return {"Version": "2012-10-17", "Statement": statements}


def _error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def ensure_bucket(s3, bucket: str, region: str) -> bool:
    try:
        s3.head_bucket(Bucket=bucket)
        return False
    except ClientError as exc:
        if _error_code(exc) not in ("404", "NoSuchBucket", "NotFound"):
            raise
    args: dict[str, Any] = {"Bucket": bucket}
    if region != "us-east-1":  # us-east-1 refuses its own name as a LocationConstraint
        args["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**args)
    return True


def ensure_versioning(s3, bucket: str) -> bool:
    # Every `pulumi up` rewrites the checkpoint: versions are the way back from a corrupted state file.
    if s3.get_bucket_versioning(Bucket=bucket).get("Status") == "Enabled":
        return False
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return True


def ensure_encryption(s3, bucket: str) -> bool:
    try:
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
        if any(r.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for r in rules):
            return False
    except ClientError as exc:
        if _error_code(exc) != "ServerSideEncryptionConfigurationNotFoundError":
            raise
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]})
    return True


PUBLIC_ACCESS_BLOCK = {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                       "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def ensure_public_access_block(s3, bucket: str) -> bool:
    try:
        if s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == PUBLIC_ACCESS_BLOCK:
            return False
    except ClientError as exc:
        if _error_code(exc) != "NoSuchPublicAccessBlockConfiguration":
            raise
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=PUBLIC_ACCESS_BLOCK)
    return True


def ensure_policy(s3, bucket: str) -> bool:
    wanted = state_bucket_policy(bucket)
    try:
        if json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == wanted:
            return False
    except ClientError as exc:
        if _error_code(exc) != "NoSuchBucketPolicy":
            raise
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(wanted))
    return True


STEPS: list[tuple[str, Step]] = [
    ("versioning enabled", ensure_versioning),
    ("default encryption (SSE-S3)", ensure_encryption),
    ("public access blocked", ensure_public_access_block),
    ("bucket policy: TLS only, TLS ≥ 1.2, deletion denied", ensure_policy),
]


def bootstrap_state_bucket(s3, bucket: str, region: str) -> list[tuple[str, bool]]:
    """Bring the bucket to the wanted state; each property with whether this run changed it."""
    report = [("bucket exists", ensure_bucket(s3, bucket, region))]
    report += [(what, step(s3, bucket)) for what, step in STEPS]
    return report
