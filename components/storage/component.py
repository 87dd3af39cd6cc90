"""RegistryStorage: the S3 bucket holding Quay's blobs, hardened by default, and Quay's least-privilege identity."""
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from quaykit.settings.storage import StorageSettings

from .hardening import Hardening, harden_bucket, versioning
from .identity import quay_identity
from .quay_config import quay_storage_config
from .replication import kms_key, replicate

ACCESS_LOG_PREFIX = "s3-access/"


def blob_hardening(settings: StorageSettings) -> Hardening:
    """The blob bucket's switches, straight from the stack's settings."""
    return Hardening(
        block_public_access=settings.block_public_access, bucket_owner_enforced=settings.bucket_owner_enforced,
        require_tls=settings.require_tls, sse=None if settings.encryption.mode == "none" else settings.encryption.mode,
        abort_incomplete_uploads_after_days=settings.abort_incomplete_uploads_after_days,
        noncurrent_expiration_days=(settings.versioning.noncurrent_expiration_days
                                    if settings.versioning.enabled else None))


def cors_rule(origins: list[str]) -> dict[str, Any]:
    # The web UI uploads Dockerfiles with a presigned PUT straight to S3; Quay never sets CORS itself.
    return {"allowed_methods": ["GET", "PUT"], "allowed_origins": origins, "allowed_headers": ["*"],
            "expose_headers": ["ETag"], "max_age_seconds": 3000}


class RegistryStorage(pulumi.ComponentResource):
    """S3 bucket + IAM identity for Quay.

    Outputs: `bucket_name`, `bucket_arn`, `region`, `storage_path`, `quay_storage_config` (the storage keys of
    Quay's config.yaml); `access_key_id`/`secret_access_key` (user mode) or `role_arn` (irsa mode);
    `replica_bucket_name` when replicating. Attributes that do not apply are None.
    `replica_provider`: an aws.Provider for the replica's region, required when replication is enabled.
    """

    def __init__(self, name: str, *, settings: StorageSettings, tags: dict[str, str],
                 replica_provider: Optional[aws.Provider] = None, opts: Optional[pulumi.ResourceOptions] = None):
        if settings.replication.enabled and replica_provider is None:
            raise ValueError("RegistryStorage: replication is enabled but no replica_provider was given")
        super().__init__("quaykit:storage:RegistryStorage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        data = pulumi.ResourceOptions(parent=self, protect=settings.protect, retain_on_delete=settings.protect)
        hardening = blob_hardening(settings)

        bucket = aws.s3.Bucket(f"{name}-bucket", bucket=settings.bucket_name, force_destroy=False,
                               tags=tags, opts=data)
        key = (kms_key(name, settings, purpose="blobs", tags=tags, opts=child)
               if settings.encryption.mode == "sse-kms" else None)
        harden_bucket(name, bucket, hardening, opts=child, kms_key_arn=key.arn if key else None)
        bucket_versioning = versioning(name, bucket, opts=child) if settings.versioning.enabled else None
        if settings.access_logging.enabled:
            self._access_logging(name, settings, bucket, hardening, tags, data)
        if settings.cors.allowed_origins:
            aws.s3.BucketCorsConfiguration(f"{name}-cors", bucket=bucket.id,
                                           cors_rules=[cors_rule(settings.cors.allowed_origins)], opts=child)
        replica = (replicate(name, settings, source=bucket, source_versioning=bucket_versioning, source_key=key,
                             hardening=hardening, tags=tags, parent=self, provider=replica_provider,
                             data_opts=data)
                   if settings.replication.enabled else None)
        identity = quay_identity(name, settings, bucket_arn=bucket.arn, kms_key_arn=key.arn if key else None,
                                 tags=tags, opts=child)

        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn
        self.region = pulumi.Output.from_input(settings.region)
        self.storage_path = pulumi.Output.from_input(settings.storage_path)
        self.access_key_id = identity.access_key_id
        self.secret_access_key = identity.secret_access_key
        self.role_arn = identity.role_arn
        self.replica_bucket_name = replica.bucket if replica else None
        self.quay_storage_config = pulumi.Output.all(bucket.bucket, identity.access_key_id,
                                                     identity.secret_access_key).apply(
            lambda v: quay_storage_config(settings, bucket=v[0], access_key=v[1], secret_key=v[2]))
        self.register_outputs({"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn,
                               "region": self.region, "storage_path": self.storage_path,
                               "quay_storage_config": self.quay_storage_config})

    def _access_logging(self, name: str, settings: StorageSettings, bucket: aws.s3.Bucket, hardening: Hardening,
                        tags: dict[str, str], data: pulumi.ResourceOptions) -> None:
        """A log bucket with the same hardening (SSE-S3 only: log delivery cannot use a KMS default key)."""
        log_bucket = aws.s3.Bucket(f"{name}-logs-bucket", bucket=settings.log_bucket_name, force_destroy=False,
                                   tags=tags, opts=data)
        log_hardening = Hardening(
            block_public_access=hardening.block_public_access, bucket_owner_enforced=hardening.bucket_owner_enforced,
            require_tls=hardening.require_tls, sse="sse-s3",
            abort_incomplete_uploads_after_days=hardening.abort_incomplete_uploads_after_days,
            expiration_days=settings.access_logging.expiration_days)
        pieces = harden_bucket(f"{name}-logs", log_bucket, log_hardening, opts=pulumi.ResourceOptions(parent=self),
                               log_source_arn=bucket.arn)
        aws.s3.BucketLogging(f"{name}-logging", bucket=bucket.id, target_bucket=log_bucket.id,
                             target_prefix=ACCESS_LOG_PREFIX,
                             opts=pulumi.ResourceOptions(parent=self, depends_on=pieces))
