"""IAM and bucket-policy documents as data: one pure function per statement, one assembler per document.

Actions come from what Quay's S3 driver does (storage/cloud.py); see ../shared/DOMAIN.md §2.
"""
from typing import Any

Statement = dict[str, Any]

BUCKET_ACTIONS = ("s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads")
OBJECT_ACTIONS = ("s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject")


def prefix_of(storage_path: str) -> str:
    """Quay's `storage_path` '/datastorage/registry' is the S3 key prefix 'datastorage/registry'."""
    return storage_path.strip("/")


def quay_bucket_statement(bucket_arn: str, storage_path: str) -> Statement:
    return {
        "Sid": "QuayListBucket",
        "Effect": "Allow",
        "Action": list(BUCKET_ACTIONS),
        "Resource": bucket_arn,
    }


def quay_objects_statement(bucket_arn: str, storage_path: str) -> Statement:
    return {
        "Sid": "QuayObjectsUnderStoragePath",
        "Effect": "Allow",
        "Action": list(OBJECT_ACTIONS),
        "Resource": f"{bucket_arn}/{prefix_of(storage_path)}/*",
    }


def quay_identity_policy(bucket_arn: str, storage_path: str) -> dict[str, Any]:
    """Least privilege for Quay's identity: the bucket and the storage_path prefix, nothing else."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            quay_bucket_statement(bucket_arn, storage_path),
            quay_objects_statement(bucket_arn, storage_path),
        ],
    }


def deny_insecure_transport_statement(bucket_arn: str) -> Statement:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def deny_old_tls_statement(bucket_arn: str) -> Statement:
    return {
        "Sid": "DenyTlsOlderThan12",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
    }


def bucket_policy(bucket_arn: str) -> dict[str, Any]:
    """TLS-only bucket policy. Never a deny-unless-KMS statement: Quay always sends SSE AES256."""
    return {
        "Version": "2012-10-17",
        "Statement": [deny_insecure_transport_statement(bucket_arn), deny_old_tls_statement(bucket_arn)],
    }
