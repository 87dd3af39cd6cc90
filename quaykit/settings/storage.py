"""`quaykit:storage` — the S3 bucket that holds every blob Quay stores.

Every hardening piece is on unless the stack file turns it off; optional extras (versioning, access logging,
CORS, replication) are off unless a block enables them.
"""
from typing import Literal, Optional

from pydantic import Field, model_validator

from .base import Model

AWS_REGION_PATTERN = r"^[a-z]{2}(-gov)?-[a-z]+-\d$"
# S3 bucket naming rules: 3-63 chars, lowercase letters, digits, dots and hyphens.
BUCKET_PATTERN = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
IAM_OIDC_PROVIDER_ARN = r"^arn:aws[a-z-]*:iam::\d{12}:oidc-provider/[^\s]+$"
SERVICE_ACCOUNT = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?:[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$"


class EncryptionSettings(Model):
    mode: Literal["sse-s3", "sse-kms", "none"] = "sse-s3"
    """`sse-s3` (AES256), `sse-kms` (a dedicated KMS key with an S3 bucket key), or `none` (no explicit
    default-encryption resource; S3 still applies SSE-S3 to new objects since 2023)."""

    kms_key_deletion_window_days: int = Field(default=30, ge=7, le=30)
    """Waiting period before a deleted KMS key is gone (sse-kms only)."""


class VersioningSettings(Model):
    enabled: bool = False
    """Keep previous versions of overwritten/deleted objects (required by replication)."""

    noncurrent_expiration_days: int = Field(default=30, ge=1)
    """Delete noncurrent versions after this many days, so versioning does not keep every blob forever."""


class AccessLoggingSettings(Model):
    enabled: bool = False
    """Write S3 server access logs to a dedicated log bucket `<bucketName>-logs`."""

    expiration_days: int = Field(default=90, ge=1)
    """Delete access-log objects after this many days."""


class CorsSettings(Model):
    allowed_origins: list[str] = []
    """Origins allowed to PUT via presigned URLs (the Quay web UI's Dockerfile upload); empty = no CORS rule."""


class ReplicationSettings(Model):
    enabled: bool = False
    """Replicate every object to a bucket in a second region (disaster recovery); needs versioning."""

    region: Optional[str] = Field(default=None, pattern=AWS_REGION_PATTERN)
    """Region of the replica bucket (required when enabled; must differ from the bucket's region)."""

    bucket_name: Optional[str] = Field(default=None, pattern=BUCKET_PATTERN)
    """Replica bucket name; default `<bucketName>-replica`."""


class IrsaSettings(Model):
    oidc_provider_arn: str = Field(pattern=IAM_OIDC_PROVIDER_ARN)
    """IAM OIDC provider of the registry's cluster, e.g. arn:aws:iam::123456789012:oidc-provider/oidc.eks…"""

    oidc_issuer: str = Field(pattern=r"^(https://)?[a-z0-9.-]+(/[A-Za-z0-9._-]+)*$")
    """Issuer URL of that provider (with or without https://)."""

    service_account: str = Field(pattern=SERVICE_ACCOUNT)
    """`namespace:name` of Quay's Kubernetes service account; only it may assume the role."""


class StorageSettings(Model):
    region: str = Field(pattern=AWS_REGION_PATTERN)
    """AWS region of the blob bucket; Quay is given it as `s3_region` (forces the regional endpoint)."""

    bucket_name: str = Field(pattern=BUCKET_PATTERN)
    """Globally unique S3 bucket name for registry blobs."""

    storage_path: str = Field(default="/datastorage/registry", pattern=r"^/[A-Za-z0-9/_.-]*[A-Za-z0-9_.-]$")
    """Key prefix inside the bucket under which Quay writes; Quay's identity may touch nothing else."""

    location_id: str = Field(default="default", pattern=r"^[a-z][a-z0-9_]{0,31}$")
    """Quay storage location id used in `DISTRIBUTED_STORAGE_CONFIG`."""

    identity: Literal["user", "irsa"] = "user"
    """How Quay authenticates to S3: an IAM user with an access key, or an IAM role for its service account."""

    irsa: Optional[IrsaSettings] = None
    """The registry cluster's OIDC provider and Quay's service account (required when identity is irsa)."""

    protect: bool = False
    """Protect the bucket from `pulumi destroy` and keep it if removed from the program (on for prod)."""

    encryption: EncryptionSettings = EncryptionSettings()
    """Default server-side encryption of the bucket."""

    block_public_access: bool = True
    """All four public-access-block flags."""

    bucket_owner_enforced: bool = True
    """Object ownership `BucketOwnerEnforced`: ACLs are disabled, the bucket owner owns every object."""

    require_tls: bool = True
    """Bucket policy denying plain-HTTP requests and TLS older than 1.2."""

    abort_incomplete_uploads_after_days: Optional[int] = Field(default=7, ge=1)
    """Abort multipart uploads left incomplete by failed pushes after this many days; null turns it off."""

    versioning: VersioningSettings = VersioningSettings()
    """Object versioning with noncurrent-version expiry."""

    access_logging: AccessLoggingSettings = AccessLoggingSettings()
    """Server access logging to a log bucket."""

    cors: CorsSettings = CorsSettings()
    """CORS for browser uploads through presigned URLs."""

    replication: ReplicationSettings = ReplicationSettings()
    """Cross-region replication."""

    @model_validator(mode="after")
    def _consistent(self):
        if self.identity == "irsa" and self.irsa is None:
            raise ValueError("irsa: required when identity is irsa (oidcProviderArn, oidcIssuer, serviceAccount)")
        if self.identity == "user" and self.irsa is not None:
            raise ValueError("irsa: only used when identity is irsa (got identity 'user')")
        if self.replication.enabled:
            if self.replication.region is None:
                raise ValueError("replication: region is required when replication is enabled")
            if self.replication.region == self.region:
                raise ValueError(f"replication: region must differ from the bucket's region (got {self.region!r})")
            if not self.versioning.enabled:
                raise ValueError("versioning: S3 replication needs versioning.enabled: true")
        for enabled, derived, key in ((self.replication.enabled and not self.replication.bucket_name,
                                       self.replica_bucket_name, "replication"),
                                      (self.access_logging.enabled, self.log_bucket_name, "accessLogging")):
            if enabled and len(derived) > 63:
                raise ValueError(f"{key}: the derived bucket name {derived!r} is longer than S3's 63 characters; "
                                 "shorten bucketName" + (" or set replication.bucketName" if key == "replication" else ""))
        return self

    @property
    def replica_bucket_name(self) -> str:
        return self.replication.bucket_name or f"{self.bucket_name}-replica"

    @property
    def log_bucket_name(self) -> str:
        return f"{self.bucket_name}-logs"
