"""Quay's identity for S3: an IAM user with an access key, or an IAM role its service account assumes (IRSA)."""
import json
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from quaykit.settings.storage import StorageSettings

from .policy import irsa_trust_policy, quay_identity_policy


@dataclass(frozen=True)
class QuayIdentity:
    access_key_id: Optional[pulumi.Output[str]] = None
    """User mode only."""

    secret_access_key: Optional[pulumi.Output[str]] = None
    """User mode only; a Pulumi secret from creation to Quay's config bundle."""

    role_arn: Optional[pulumi.Output[str]] = None
    """IRSA mode only: the registry layer annotates Quay's service account with it."""


def quay_identity(name: str, settings: StorageSettings, *, bucket_arn: pulumi.Output[str],
                  kms_key_arn: Optional[pulumi.Output[str]], tags: dict[str, str],
                  opts: pulumi.ResourceOptions) -> QuayIdentity:
    document = pulumi.Output.all(bucket_arn, kms_key_arn).apply(lambda v: json.dumps(quay_identity_policy(
        v[0], settings.storage_path, kms_key_arn=v[1], region=settings.region)))
    policy = aws.iam.Policy(f"{name}-quay-policy", name=f"{settings.bucket_name}-quay", policy=document,
                            description="Quay: its blob bucket and storage_path prefix only", tags=tags, opts=opts)
    if settings.identity == "irsa":
        irsa = settings.irsa
        role = aws.iam.Role(f"{name}-quay-role", name=f"{settings.bucket_name}-quay", tags=tags, opts=opts,
                            assume_role_policy=json.dumps(irsa_trust_policy(
                                irsa.oidc_provider_arn, irsa.oidc_issuer, irsa.service_account)))
        aws.iam.RolePolicyAttachment(f"{name}-quay-policy-attachment", role=role.name, policy_arn=policy.arn,
                                     opts=opts)
        return QuayIdentity(role_arn=role.arn)
    user = aws.iam.User(f"{name}-quay", name=f"{settings.bucket_name}-quay", tags=tags, opts=opts)
    aws.iam.UserPolicyAttachment(f"{name}-quay-policy-attachment", user=user.name, policy_arn=policy.arn,
                                 opts=opts)
    key = aws.iam.AccessKey(f"{name}-quay-key", user=user.name, opts=opts)
    return QuayIdentity(access_key_id=key.id, secret_access_key=pulumi.Output.secret(key.secret))
