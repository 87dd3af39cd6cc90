"""Registry layer: Quay on Kubernetes — namespace, config bundle, datastores, Deployment and Service."""
import hashlib
from typing import Any, Optional

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from quaykit.settings.registry import RegistrySettings

from . import datastores, manifests
from .quay_config import database_uri, quay_config_sections, redis_block, render_quay_config

CONFIG_SECRET = "quay-config"


class QuayRegistry(pulumi.ComponentResource):
    """Quay and what it needs on one Kubernetes cluster.

    `storage_config` is the storage layer's `quay_storage_config`, used as is.
    `build_manager` is the build pool's block of Quay config (or None: builds off).
    Outputs: `url`, `namespace`, `config_checksum`.
    """

    def __init__(self, name: str, *, settings: RegistrySettings, environment: str,
                 storage_config: pulumi.Input[dict[str, Any]],
                 build_manager: Optional[pulumi.Input[dict[str, Any]]] = None,
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("quaykit:registry:QuayRegistry", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        labels = {"app.kubernetes.io/name": "quay", "app.kubernetes.io/part-of": "quaykit",
                  "quaykit.dev/environment": environment}

        namespace = k8s.core.v1.Namespace(f"{name}-namespace", metadata={
            "name": settings.namespace,
            "labels": {"pod-security.kubernetes.io/enforce": "restricted",
                       "pod-security.kubernetes.io/enforce-version": "latest", **labels}}, opts=child)
        ns = namespace.metadata["name"]

        database = datastores.postgres(name, settings=settings.database, namespace=ns, parent=self,
                                       namespace_name=settings.namespace)
        redis = datastores.redis(name, settings=settings.redis, namespace=ns, parent=self,
                                 namespace_name=settings.namespace)
        # Generated once and kept in state: DATABASE_SECRET_KEY must never change for the life of the database.
        secret_key = random.RandomPassword(f"{name}-secret-key", length=64, special=False, opts=child).result
        database_secret_key = random.RandomPassword(f"{name}-database-secret-key", length=64, special=False,
                                                    opts=child).result

        config_yaml = pulumi.Output.all(
            database.host, database.password, redis.host, redis.password, storage_config, secret_key,
            database_secret_key, build_manager,
        ).apply(lambda v: render_quay_config(environment, quay_config_sections(
            settings,
            db_uri=database_uri(user=settings.database.user, password=v[1], host=v[0],
                                port=settings.database.port, name=settings.database.name),
            redis=redis_block(host=v[2], port=redis.port, password=v[3], ssl=settings.redis.ssl),
            storage=v[4], secret_key=v[5], database_secret_key=v[6], build_manager=v[7])))
        config_yaml = pulumi.Output.secret(config_yaml)
        k8s.core.v1.Secret(f"{name}-config", metadata={"name": CONFIG_SECRET, "namespace": ns, "labels": labels},
                           string_data={"config.yaml": config_yaml}, opts=child)
        checksum = pulumi.Output.unsecret(config_yaml.apply(lambda text: hashlib.sha256(text.encode()).hexdigest()))

        selector = {"app.kubernetes.io/name": "quay", "app.kubernetes.io/component": "registry"}
        k8s.apps.v1.Deployment(f"{name}-quay", metadata={"name": "quay", "namespace": ns, "labels": labels},
                               spec={"replicas": settings.replicas, "selector": {"matchLabels": selector},
                                     "template": checksum.apply(lambda c: manifests.quay_pod_template(
                                         labels={**labels, **selector}, image_tag=settings.image_tag,
                                         config_secret=CONFIG_SECRET, config_checksum=c))},
                               opts=child)
        k8s.core.v1.Service(f"{name}-quay", metadata={"name": "quay", "namespace": ns, "labels": labels},
                            spec={"selector": selector, "ports": manifests.service_ports()}, opts=child)

        self.url = pulumi.Output.from_input(f"https://{settings.hostname}")
        self.namespace = ns
        self.config_checksum = checksum
        self.register_outputs({"url": self.url, "namespace": self.namespace})
