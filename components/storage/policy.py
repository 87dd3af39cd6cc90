"""IAM and bucket-policy documents as data: one pure function per statement, one assembler per document.

Quay's actions come from what its S3 driver does (storage/cloud.py); see quay/quay storage/cloud.py.
"""
from typing import Any, Optional

Statement = dict[str, Any]
Document = dict[str, Any]

BUCKET_ACTIONS = ("s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads")
OBJECT_ACTIONS = ("s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject")
# With SSE-KMS as the bucket default, S3 calls KMS on the caller's behalf for objects written without a header.
KMS_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")


def document(*statements: Optional[Statement]) -> Document:
    """The one place statements become a policy document; `None` is a statement switched off."""
    return {"Version": "2012-10-17", "Statement": [s for s in statements if s is not None]}


def prefix_of(storage_path: str) -> str:
    """Quay's `storage_path` '/datastorage/registry' is the S3 key prefix 'datastorage/registry'."""
    return storage_path.strip("/")


# --- Quay's identity -------------------------------------------------------------------------------------------

def quay_bucket_statement(bucket_arn: str) -> Statement:
    return {"Sid": "QuayBucket", "Effect": "Allow", "Action": list(BUCKET_ACTIONS), "Resource": bucket_arn}


def quay_objects_statement(bucket_arn: str, storage_path: str) -> Statement:
    return {"Sid": "QuayObjectsUnderStoragePath", "Effect": "Allow", "Action": list(OBJECT_ACTIONS),
            "Resource": f"{bucket_arn}/{prefix_of(storage_path)}/*"}


def quay_kms_statement(key_arn: str, region: str) -> Statement:
    return {"Sid": "QuayBucketKeyViaS3", "Effect": "Allow", "Action": list(KMS_ACTIONS), "Resource": key_arn,
            "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}}}


def quay_identity_policy(bucket_arn: str, storage_path: str, *, kms_key_arn: Optional[str] = None,
                         region: str = "") -> Document:
    """Least privilege for Quay's identity: the bucket and the storage_path prefix, nothing else."""
    return document(quay_bucket_statement(bucket_arn), quay_objects_statement(bucket_arn, storage_path),
                    quay_kms_statement(kms_key_arn, region) if kms_key_arn else None)


def irsa_trust_policy(oidc_provider_arn: str, oidc_issuer: str, service_account: str) -> Document:
    """Only Quay's service account, through the cluster's OIDC provider, may assume the role."""
    issuer = oidc_issuer.removeprefix("https://")
    namespace, name = service_account.split(":", 1)
    return document({
        "Sid": "QuayServiceAccount", "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": oidc_provider_arn},
        "Condition": {"StringEquals": {f"{issuer}:sub": f"system:serviceaccount:{namespace}:{name}",
                                       f"{issuer}:aud": "sts.amazonaws.com"}},
    })


# --- Bucket policies -------------------------------------------------------------------------------------------

def deny_insecure_transport_statement(bucket_arn: str) -> Statement:
    return {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [bucket_arn, f"{bucket_arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def deny_old_tls_statement(bucket_arn: str) -> Statement:
    return {"Sid": "DenyTlsOlderThan12", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [bucket_arn, f"{bucket_arn}/*"], "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}}


def allow_access_log_delivery_statement(log_bucket_arn: str, source_bucket_arn: str) -> Statement:
    # With BucketOwnerEnforced the log bucket takes no ACL grants: log delivery is allowed by policy instead.
    return {"Sid": "AllowS3AccessLogDelivery", "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
            "Resource": f"{log_bucket_arn}/*", "Condition": {"ArnLike": {"aws:SourceArn": source_bucket_arn}}}


def bucket_policy(bucket_arn: str, *, require_tls: bool = True, log_source_arn: Optional[str] = None) -> Document:
    """TLS-only bucket policy. Never a deny-unless-KMS statement: Quay always sends SSE AES256."""
    return document(
        deny_insecure_transport_statement(bucket_arn) if require_tls else None,
        deny_old_tls_statement(bucket_arn) if require_tls else None,
        allow_access_log_delivery_statement(bucket_arn, log_source_arn) if log_source_arn else None,
    )


# --- Replication role ------------------------------------------------------------------------------------------

def s3_service_trust_policy() -> Document:
    return document({"Sid": "S3Replication", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
                     "Action": "sts:AssumeRole"})


def replication_source_statements(source_arn: str) -> list[Statement]:
    return [
        {"Sid": "ReadReplicationConfig", "Effect": "Allow", "Resource": source_arn,
         "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"]},
        {"Sid": "ReadSourceVersions", "Effect": "Allow", "Resource": f"{source_arn}/*",
         "Action": ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"]},
    ]


def replication_destination_statement(replica_arn: str) -> Statement:
    return {"Sid": "WriteReplica", "Effect": "Allow", "Resource": f"{replica_arn}/*",
            "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"]}


def replication_kms_statements(source_key_arn: str, replica_key_arn: str) -> list[Statement]:
    return [{"Sid": "DecryptSource", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": source_key_arn},
            {"Sid": "EncryptReplica", "Effect": "Allow", "Action": "kms:Encrypt", "Resource": replica_key_arn}]


def replication_role_policy(source_arn: str, replica_arn: str, *, source_key_arn: Optional[str] = None,
                            replica_key_arn: Optional[str] = None) -> Document:
    kms = replication_kms_statements(source_key_arn, replica_key_arn) if source_key_arn and replica_key_arn else []
    return document(*replication_source_statements(source_arn), replication_destination_statement(replica_arn),
                    *kms)
