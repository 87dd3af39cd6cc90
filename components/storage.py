"""Storage layer: the S3 bucket holding Quay's blobs, hardened by default, and Quay's least-privilege identity."""
import json
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from quaykit.settings.storage import StorageSettings

from .storage_policy import bucket_policy, quay_identity_policy

INCOMPLETE_UPLOAD_DAYS = 7


class RegistryStorage(pulumi.ComponentResource):
    """S3 bucket + IAM identity for Quay.

    Outputs: `bucket_name`, `bucket_arn`, `region`, `storage_path`, `access_key_id`,
    `secret_access_key` (secret), and `quay_storage_config` — the storage keys of Quay's config.yaml.
    """

    def __init__(self, name: str, *, settings: StorageSettings, tags: dict[str, str],
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("quaykit:storage:RegistryStorage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        data = pulumi.ResourceOptions(parent=self, protect=settings.protect, retain_on_delete=settings.protect)

        bucket = aws.s3.Bucket(f"{name}-bucket", bucket=settings.bucket_name, force_destroy=False,
                               tags=tags, opts=data)
        aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block", bucket=bucket.id, block_public_acls=True, block_public_policy=True,
            ignore_public_acls=True, restrict_public_buckets=True, opts=child)
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership", bucket=bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"}, opts=child)
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption", bucket=bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}], opts=child)
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle", bucket=bucket.id,
            rules=[{"id": "abort-incomplete-multipart-uploads", "status": "Enabled", "filter": {},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": INCOMPLETE_UPLOAD_DAYS}}],
            opts=child)
        aws.s3.BucketPolicy(f"{name}-policy", bucket=bucket.id,
                            policy=bucket.arn.apply(lambda arn: json.dumps(bucket_policy(arn))), opts=child)

        user = aws.iam.User(f"{name}-quay", name=f"{settings.bucket_name}-quay", tags=tags, opts=child)
        policy = aws.iam.Policy(
            f"{name}-quay-policy", name=f"{settings.bucket_name}-quay",
            policy=bucket.arn.apply(lambda arn: json.dumps(quay_identity_policy(arn, settings.storage_path))),
            tags=tags, opts=child)
        aws.iam.UserPolicyAttachment(f"{name}-quay-policy-attachment", user=user.name,
                                     policy_arn=policy.arn, opts=child)
        key = aws.iam.AccessKey(f"{name}-quay-key", user=user.name, opts=child)

        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn
        self.region = pulumi.Output.from_input(settings.region)
        self.storage_path = pulumi.Output.from_input(settings.storage_path)
        self.access_key_id = key.id
        self.secret_access_key = pulumi.Output.secret(key.secret)
        self.quay_storage_config = pulumi.Output.all(bucket.bucket, key.id, self.secret_access_key).apply(
            lambda v: quay_storage_config(settings, bucket=v[0], access_key=v[1], secret_key=v[2]))
        self.register_outputs({"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn,
                               "region": self.region, "storage_path": self.storage_path})


def quay_storage_config(settings: StorageSettings, *, bucket: str, access_key: Optional[str],
                        secret_key: Optional[str]) -> dict[str, Any]:
    """The keys of Quay's config.yaml that describe storage. The registry layer uses this as is."""
    params: dict[str, Any] = {"s3_bucket": bucket, "storage_path": settings.storage_path, "s3_region": settings.region}
    if access_key is not None:
        params.update(s3_access_key=access_key, s3_secret_key=secret_key)
    location = settings.location_id
    return {
        "DISTRIBUTED_STORAGE_CONFIG": {location: ["S3Storage", params]},
        "DISTRIBUTED_STORAGE_PREFERENCE": [location],
        "DISTRIBUTED_STORAGE_DEFAULT_LOCATIONS": [],
        "USERFILES_LOCATION": location,
        "LOG_ARCHIVE_LOCATION": location,
        "ACTION_LOG_ARCHIVE_LOCATION": location,
    }
