"""The quaykit program — the only place the layers meet.

stack config → typed settings → storage, build pool, registry → exports.
`pulumi up` runs this file; `quaykit preview` runs this same file under Pulumi's mock engine.
"""
import sys
from pathlib import Path

# The Pulumi CLI runs this file from stacks/; make the repo's packages importable without an install.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pulumi  # noqa: E402
import pulumi_aws as aws  # noqa: E402
import pulumi_kubernetes as k8s  # noqa: E402

from components.buildpool import BuildPool  # noqa: E402
from components.registry import QuayRegistry  # noqa: E402
from components.storage import RegistryStorage  # noqa: E402
from quaykit.settings import SettingsError, settings_from_pulumi_runtime  # noqa: E402


def load_settings():
    source = f"stacks/Pulumi.{pulumi.get_stack()}.yaml"
    try:
        return settings_from_pulumi_runtime(source)
    except SettingsError as exc:
        raise pulumi.RunError(str(exc)) from None  # one line, no traceback


settings = load_settings()
env = settings.environment
tags = {"quaykit:environment": env.name, "owner": env.owner, "managed-by": "pulumi", **env.tags}

# Equinix Metal uses its default provider: `equinix-metal:authToken` (secret) or METAL_AUTH_TOKEN.
aws_provider = aws.Provider("aws", region=settings.storage.region, default_tags={"tags": tags})
registry_cluster = k8s.Provider("registry-cluster", context=settings.registry.kube_context)

# Replication writes to a second region: its own provider, handed to the storage layer.
replica_provider = (aws.Provider("aws-replica", region=settings.storage.replication.region,
                                 default_tags={"tags": tags}) if settings.storage.replication.enabled else None)
storage = RegistryStorage("storage", settings=settings.storage, tags=tags, replica_provider=replica_provider,
                          opts=pulumi.ResourceOptions(providers={"aws": aws_provider}))
pool = BuildPool("pool", settings=settings.pool, environment=env.name, aws_region=settings.storage.region,
                 opts=pulumi.ResourceOptions(providers={"aws": aws_provider}))
registry = QuayRegistry("registry", settings=settings.registry, environment=env.name,
                        storage_config=storage.quay_storage_config,
                        build_cluster=pool.build_cluster,
                        # identity: irsa — Quay's service account assumes the storage layer's role.
                        service_account_annotations=(storage.role_arn.apply(
                            lambda arn: {"eks.amazonaws.com/role-arn": arn}) if storage.role_arn is not None else None),
                        opts=pulumi.ResourceOptions(providers={"kubernetes": registry_cluster, "aws": aws_provider}))

pulumi.export("registryUrl", registry.url)
pulumi.export("bucketName", storage.bucket_name)
pulumi.export("bucketRegion", storage.region)
pulumi.export("storagePath", storage.storage_path)
if storage.access_key_id is not None:  # identity: user
    pulumi.export("quayAccessKeyId", storage.access_key_id)
    pulumi.export("quaySecretAccessKey", storage.secret_access_key)
if storage.role_arn is not None:  # identity: irsa — Quay's service account is annotated with it
    pulumi.export("quayRoleArn", storage.role_arn)
if storage.replica_bucket_name is not None:
    pulumi.export("replicaBucketName", storage.replica_bucket_name)
pulumi.export("buildNodeAddresses", pool.node_addresses)
pulumi.export("buildClusterEndpoint", pool.api_endpoint)
pulumi.export("buildClusterApiServer", pool.build_cluster.api_server)
pulumi.export("buildClusterCaCertificate", pool.build_cluster.ca_certificate)
pulumi.export("builderToken", pool.build_cluster.token)
pulumi.export("builderNamespace", pool.build_cluster.namespace)
pulumi.export("builderNodeLabel", pool.build_cluster.node_label)
