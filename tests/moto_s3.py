"""A real moto S3/IAM server on 127.0.0.1, and the storage layer's *recorded* resources applied to it.

Nothing here re-types a policy or a bucket setting: every call takes its values from the inputs the program
declared under the mock engine (`plan_for(stack)`), translated from Pulumi's camelCase to the S3/IAM API.
"""
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Optional

import boto3
from botocore.config import Config

# The first N requests skip authentication: exactly the three that create the admin (see `admin_clients`).
ADMIN_BOOTSTRAP_REQUESTS = 3
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
STORAGE = "quaykit:storage:RegistryStorage"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class MotoServer:
    url: str
    process: subprocess.Popen

    @classmethod
    def start(cls, *, enforce_iam: bool) -> "MotoServer":
        port = free_port()
        env = dict(os.environ, AWS_ACCESS_KEY_ID="bootstrap", AWS_SECRET_ACCESS_KEY="bootstrap")
        if enforce_iam:
            # Read by moto at import time: hence a subprocess, not an in-process server.
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(ADMIN_BOOTSTRAP_REQUESTS)
        process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return cls(url=f"http://127.0.0.1:{port}", process=process)
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"moto server exited with {process.returncode}")
                time.sleep(0.1)
        process.kill()
        raise RuntimeError("moto server did not listen within 30 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def client(self, service: str, key: tuple[str, str], region: str = "us-east-1"):
        return boto3.client(service, endpoint_url=self.url, region_name=region, aws_access_key_id=key[0],
                            aws_secret_access_key=key[1], config=Config(s3={"addressing_style": "path"}))

    def admin_key(self) -> tuple[str, str]:
        """Spend the unauthenticated requests on an admin user; everything after is signed and enforced."""
        iam = self.client("iam", ("bootstrap", "bootstrap"))
        iam.create_user(UserName="quaykit-test-admin")
        iam.put_user_policy(UserName="quaykit-test-admin", PolicyName="all", PolicyDocument=json.dumps(ALLOW_ALL))
        key = iam.create_access_key(UserName="quaykit-test-admin")["AccessKey"]
        return key["AccessKeyId"], key["SecretAccessKey"]


# --- recorded Pulumi inputs → S3/IAM API calls --------------------------------------------------------------------

def _encryption(inputs: dict) -> dict:
    rules = []
    for rule in inputs["rules"]:
        default = rule["applyServerSideEncryptionByDefault"]
        api = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": default["sseAlgorithm"]}}
        if default.get("kmsMasterKeyId"):
            api["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] = default["kmsMasterKeyId"]
        if "bucketKeyEnabled" in rule:
            api["BucketKeyEnabled"] = rule["bucketKeyEnabled"]
        rules.append(api)
    return {"Rules": rules}


def _lifecycle_rule(rule: dict) -> dict:
    api = {"ID": rule["id"], "Status": rule["status"], "Filter": {"Prefix": ""}}
    if "abortIncompleteMultipartUpload" in rule:
        api["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": int(rule["abortIncompleteMultipartUpload"]["daysAfterInitiation"])}
    if "noncurrentVersionExpiration" in rule:
        api["NoncurrentVersionExpiration"] = {
            "NoncurrentDays": int(rule["noncurrentVersionExpiration"]["noncurrentDays"])}
    if "expiration" in rule:
        api["Expiration"] = {"Days": int(rule["expiration"]["days"])}
    return api


# moto evaluates bucket-policy Conditions with no request context, so a conditional Deny on these keys matches
# every request (even over TLS). Real S3 evaluates them per connection; the test asserts them statically.
CONTEXT_KEYS_MOTO_CANNOT_KNOW = {"aws:SecureTransport", "s3:TlsVersion"}


def moto_evaluable(policy: str) -> tuple[str, list[str]]:
    """The recorded bucket policy without the statements moto cannot evaluate, and the Sids left out."""
    document = json.loads(policy)
    kept, dropped = [], []
    for statement in document["Statement"]:
        keys = {key for test in statement.get("Condition", {}).values() for key in test}
        (dropped if keys & CONTEXT_KEYS_MOTO_CANNOT_KNOW else kept).append(statement)
    return json.dumps({**document, "Statement": kept}), [s["Sid"] for s in dropped]


@dataclass
class AppliedStorage:
    quay_key: Optional[tuple[str, str]]
    dropped_statements: list[str]
    """Sids of bucket-policy statements left out because moto cannot evaluate them."""

    applied: list[str]
    """URNs of the recorded resources that were applied, in order."""


def apply_storage(plan, server: MotoServer, admin: tuple[str, str], *, region: str,
                  policy_document: Optional[str] = None, whole_bucket_policy: bool = False) -> AppliedStorage:
    """Create the storage layer's buckets, bucket settings and Quay's IAM identity in moto from `plan`.

    `policy_document` replaces Quay's recorded IAM policy (to prove that a broken one is caught);
    `whole_bucket_policy` applies the bucket policy as recorded (to show why statements are left out).
    """
    s3, iam = server.client("s3", admin, region), server.client("iam", admin, region)
    storage = plan.one(STORAGE).urn
    resources = [r for r in plan.resources if r.parent == storage and r.custom]
    policies, applied, quay_key, dropped = {}, [], None, []
    for r in sorted(resources, key=lambda r: APPLY_ORDER.index(r.type) if r.type in APPLY_ORDER else 99):
        inputs = plan.inputs(r, reveal=True)
        if r.type == "aws:s3/bucket:Bucket":
            location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
            s3.create_bucket(Bucket=inputs["bucket"], **location)
            s3.put_bucket_tagging(Bucket=inputs["bucket"], Tagging={
                "TagSet": [{"Key": k, "Value": v} for k, v in inputs["tags"].items()]})
        elif r.type == "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":
            s3.put_public_access_block(Bucket=inputs["bucket"], PublicAccessBlockConfiguration={
                k[0].upper() + k[1:]: inputs[k] for k in
                ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")})
        elif r.type == "aws:s3/bucketOwnershipControls:BucketOwnershipControls":
            s3.put_bucket_ownership_controls(Bucket=inputs["bucket"], OwnershipControls={
                "Rules": [{"ObjectOwnership": inputs["rule"]["objectOwnership"]}]})
        elif r.type == "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
            s3.put_bucket_encryption(Bucket=inputs["bucket"], ServerSideEncryptionConfiguration=_encryption(inputs))
        elif r.type == "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration":
            s3.put_bucket_lifecycle_configuration(Bucket=inputs["bucket"], LifecycleConfiguration={
                "Rules": [_lifecycle_rule(rule) for rule in inputs["rules"]]})
        elif r.type == "aws:s3/bucketPolicy:BucketPolicy":
            policy, left_out = (inputs["policy"], []) if whole_bucket_policy else moto_evaluable(inputs["policy"])
            dropped += left_out
            if json.loads(policy)["Statement"]:
                s3.put_bucket_policy(Bucket=inputs["bucket"], Policy=policy)
        elif r.type == "aws:iam/user:User":
            iam.create_user(UserName=inputs["name"])
        elif r.type == "aws:iam/policy:Policy":
            document = policy_document if policy_document is not None else inputs["policy"]
            policies[inputs["name"]] = iam.create_policy(PolicyName=inputs["name"],
                                                         PolicyDocument=document)["Policy"]["Arn"]
        elif r.type == "aws:iam/userPolicyAttachment:UserPolicyAttachment":
            # The recorded policyArn is the mock's; attach the policy moto created under the same name.
            iam.attach_user_policy(UserName=inputs["user"], PolicyArn=policies[inputs["policyArn"].rsplit("/", 1)[1]])
        elif r.type == "aws:iam/accessKey:AccessKey":
            created = iam.create_access_key(UserName=inputs["user"])["AccessKey"]
            quay_key = (created["AccessKeyId"], created["SecretAccessKey"])
        else:
            continue
        applied.append(r.urn)
    return AppliedStorage(quay_key=quay_key, dropped_statements=dropped, applied=applied)


APPLY_ORDER = [
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:iam/user:User",
    "aws:iam/policy:Policy",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/accessKey:AccessKey",
]
