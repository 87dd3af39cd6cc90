"""Cross-region replication for disaster recovery: a hardened, versioned replica bucket in the replica
provider's region, a role S3 assumes to copy, and the replication rule."""
import json
from typing import Optional

import pulumi
import pulumi_aws as aws

from quaykit.settings.storage import StorageSettings

from .hardening import Hardening, harden_bucket, versioning
from .policy import replication_role_policy, s3_service_trust_policy


def kms_key(name: str, settings: StorageSettings, *, purpose: str, tags: dict[str, str],
            opts: pulumi.ResourceOptions) -> aws.kms.Key:
    return aws.kms.Key(f"{name}-key", description=f"quaykit {purpose} {settings.bucket_name}",
                       enable_key_rotation=True, tags=tags,
                       deletion_window_in_days=settings.encryption.kms_key_deletion_window_days, opts=opts)


def replicate(name: str, settings: StorageSettings, *, source: aws.s3.Bucket, source_versioning: pulumi.Resource,
              source_key: Optional[aws.kms.Key], hardening: Hardening, tags: dict[str, str],
              parent: pulumi.Resource, provider: aws.Provider, data_opts: pulumi.ResourceOptions) -> aws.s3.Bucket:
    """Declare the replica side (children `{name}-replica-…`); returns the replica bucket."""
    here = pulumi.ResourceOptions(parent=parent)
    there = pulumi.ResourceOptions(parent=parent, provider=provider)
    replica_name = f"{name}-replica"
    replica = aws.s3.Bucket(f"{replica_name}-bucket", bucket=settings.replica_bucket_name, force_destroy=False,
                            tags=tags, opts=pulumi.ResourceOptions.merge(data_opts, there))
    replica_key = kms_key(replica_name, settings, purpose="replica", tags=tags, opts=there) if source_key else None
    harden_bucket(replica_name, replica, hardening, opts=there, kms_key_arn=replica_key.arn if replica_key else None)
    replica_versioning = versioning(replica_name, replica, opts=there)

    role = aws.iam.Role(f"{name}-replication-role", name=f"{settings.bucket_name}-replication", tags=tags,
                        assume_role_policy=json.dumps(s3_service_trust_policy()), opts=here)
    document = pulumi.Output.all(source.arn, replica.arn, source_key.arn if source_key else None,
                                 replica_key.arn if replica_key else None).apply(
        lambda v: json.dumps(replication_role_policy(v[0], v[1], source_key_arn=v[2], replica_key_arn=v[3])))
    aws.iam.RolePolicy(f"{name}-replication-policy", role=role.id, policy=document, opts=here)

    rule = {"id": "replicate-everything", "status": "Enabled", "filter": {},
            "delete_marker_replication": {"status": "Enabled"},
            "destination": {"bucket": replica.arn, "storage_class": "STANDARD"}}
    if replica_key is not None:
        # KMS-encrypted objects replicate only when selected explicitly, re-encrypted with a key in the replica region.
        rule["source_selection_criteria"] = {"sse_kms_encrypted_objects": {"status": "Enabled"}}
        rule["destination"]["encryption_configuration"] = {"replica_kms_key_id": replica_key.arn}
    aws.s3.BucketReplicationConfig(f"{name}-replication", bucket=source.id, role=role.arn, rules=[rule],
                                   opts=pulumi.ResourceOptions(parent=parent,
                                                               depends_on=[source_versioning, replica_versioning]))
    return replica
