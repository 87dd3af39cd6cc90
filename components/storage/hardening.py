"""The hardening every quaykit bucket gets (blobs, replica, access logs), each piece behind its own switch.

Rule builders are pure functions returning provider input dicts; `harden_bucket` declares the resources.
"""
import json
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from .policy import bucket_policy


@dataclass(frozen=True)
class Hardening:
    """Which pieces a bucket gets; the blob bucket's come from stack settings."""

    block_public_access: bool = True
    bucket_owner_enforced: bool = True
    require_tls: bool = True
    sse: Optional[str] = "sse-s3"
    """"sse-s3", "sse-kms" (then `kms_key_arn` is given) or None for no default-encryption resource."""

    abort_incomplete_uploads_after_days: Optional[int] = 7
    noncurrent_expiration_days: Optional[int] = None
    """Set when versioning is on."""

    expiration_days: Optional[int] = None
    """Expire current objects (access logs only — never blobs)."""


def encryption_rule(sse: str, kms_key_arn: Optional[pulumi.Input[str]] = None) -> dict[str, Any]:
    if sse == "sse-kms":
        # The bucket key cuts KMS calls (and cost) per object; Quay's AES256 header still wins per object.
        return {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms",
                                                            "kms_master_key_id": kms_key_arn},
                "bucket_key_enabled": True}
    return {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}


def lifecycle_rules(hardening: Hardening) -> list[dict[str, Any]]:
    rules = []
    if hardening.abort_incomplete_uploads_after_days is not None:
        # Failed pushes leave invisible, billed multipart uploads (openshift/cluster-image-registry-operator#128).
        rules.append({"id": "abort-incomplete-multipart-uploads", "status": "Enabled", "filter": {},
                      "abort_incomplete_multipart_upload": {
                          "days_after_initiation": hardening.abort_incomplete_uploads_after_days}})
    if hardening.noncurrent_expiration_days is not None:
        rules.append({"id": "expire-noncurrent-versions", "status": "Enabled", "filter": {},
                      "noncurrent_version_expiration": {"noncurrent_days": hardening.noncurrent_expiration_days}})
    if hardening.expiration_days is not None:
        rules.append({"id": "expire-objects", "status": "Enabled", "filter": {},
                      "expiration": {"days": hardening.expiration_days}})
    return rules


def harden_bucket(name: str, bucket: aws.s3.Bucket, hardening: Hardening, *, opts: pulumi.ResourceOptions,
                  kms_key_arn: Optional[pulumi.Input[str]] = None,
                  log_source_arn: Optional[pulumi.Input[str]] = None) -> list[pulumi.Resource]:
    """Declare the switched-on pieces for `bucket`, children named `{name}-…`; returns them for depends_on."""
    declared: list[pulumi.Resource] = []
    if hardening.block_public_access:
        declared.append(aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block", bucket=bucket.id, block_public_acls=True, block_public_policy=True,
            ignore_public_acls=True, restrict_public_buckets=True, opts=opts))
    if hardening.bucket_owner_enforced:
        declared.append(aws.s3.BucketOwnershipControls(
            f"{name}-ownership", bucket=bucket.id, rule={"object_ownership": "BucketOwnerEnforced"}, opts=opts))
    if hardening.sse is not None:
        declared.append(aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption", bucket=bucket.id, rules=[encryption_rule(hardening.sse, kms_key_arn)], opts=opts))
    rules = lifecycle_rules(hardening)
    if rules:
        declared.append(aws.s3.BucketLifecycleConfiguration(f"{name}-lifecycle", bucket=bucket.id, rules=rules,
                                                            opts=opts))
    if hardening.require_tls or log_source_arn is not None:
        policy = pulumi.Output.all(bucket.arn, log_source_arn).apply(lambda v: json.dumps(
            bucket_policy(v[0], require_tls=hardening.require_tls, log_source_arn=v[1])))
        # A policy put while the public-access block is being created can race it; order them.
        declared.append(aws.s3.BucketPolicy(f"{name}-policy", bucket=bucket.id, policy=policy,
                                            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
                                                depends_on=declared[:1]))))
    return declared


def versioning(name: str, bucket: aws.s3.Bucket, *, opts: pulumi.ResourceOptions) -> aws.s3.BucketVersioning:
    return aws.s3.BucketVersioning(f"{name}-versioning", bucket=bucket.id,
                                   versioning_configuration={"status": "Enabled"}, opts=opts)
