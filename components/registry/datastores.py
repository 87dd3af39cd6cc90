"""PostgreSQL and Redis for Quay: in-cluster StatefulSets for dev, or the external endpoints from settings."""
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from quaykit.settings.registry import DatabaseSettings, RedisSettings

from . import manifests


@dataclass(frozen=True)
class Endpoint:
    host: pulumi.Input[str]
    port: int
    password: Optional[pulumi.Output[str]]


def _generated_password(name: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    return random.RandomPassword(name, length=32, special=False, opts=pulumi.ResourceOptions(parent=parent)).result


def _stateful_service(name: str, *, namespace: pulumi.Input[str], labels: dict, port: int, pod_template: dict,
                      storage: str, parent: pulumi.Resource) -> str:
    opts = pulumi.ResourceOptions(parent=parent)
    k8s.core.v1.Service(name, metadata={"name": labels["app.kubernetes.io/name"], "namespace": namespace, "labels": labels},
                        spec={"selector": labels, "ports": [{"port": port, "targetPort": port}]}, opts=opts)
    k8s.apps.v1.StatefulSet(name, metadata={"name": labels["app.kubernetes.io/name"], "namespace": namespace, "labels": labels},
                            spec={"serviceName": labels["app.kubernetes.io/name"], "replicas": 1,
                                  "selector": {"matchLabels": labels}, "template": pod_template,
                                  "volumeClaimTemplates": [manifests.data_volume_claim(storage)]}, opts=opts)
    return labels["app.kubernetes.io/name"]


def postgres(name: str, *, settings: DatabaseSettings, namespace: pulumi.Input[str], parent: pulumi.Resource,
             namespace_name: str) -> Endpoint:
    if settings.mode == "external":
        return Endpoint(settings.host, settings.port, pulumi.Output.secret(settings.password.get_secret_value()))
    labels = {"app.kubernetes.io/name": "quay-postgres", "app.kubernetes.io/part-of": "quaykit"}
    password = _generated_password(f"{name}-postgres-password", parent)
    opts = pulumi.ResourceOptions(parent=parent)
    secret = k8s.core.v1.Secret(f"{name}-postgres", metadata={"name": "quay-postgres", "namespace": namespace},
                                string_data={"POSTGRES_USER": settings.user, "POSTGRES_DB": settings.name,
                                             "POSTGRES_PASSWORD": password}, opts=opts)
    init = k8s.core.v1.ConfigMap(f"{name}-postgres-init", metadata={"name": "quay-postgres-init", "namespace": namespace},
                                 data={"10-pg-trgm.sql": manifests.PG_TRGM_INIT_SQL}, opts=opts)
    host = _stateful_service(f"{name}-postgres", namespace=namespace, labels=labels, port=5432, storage="20Gi",
                             pod_template=manifests.postgres_pod_template(labels=labels, secret_name="quay-postgres",
                                                                          init_config_map="quay-postgres-init"),
                             parent=parent)
    return Endpoint(f"{host}.{namespace_name}.svc", 5432, password)


def redis(name: str, *, settings: RedisSettings, namespace: pulumi.Input[str], parent: pulumi.Resource,
          namespace_name: str) -> Endpoint:
    if settings.mode == "external":
        password = settings.password and pulumi.Output.secret(settings.password.get_secret_value())
        return Endpoint(settings.host, settings.port, password)
    labels = {"app.kubernetes.io/name": "quay-redis", "app.kubernetes.io/part-of": "quaykit"}
    password = _generated_password(f"{name}-redis-password", parent)
    k8s.core.v1.Secret(f"{name}-redis", metadata={"name": "quay-redis", "namespace": namespace},
                       string_data={"password": password}, opts=pulumi.ResourceOptions(parent=parent))
    host = _stateful_service(f"{name}-redis", namespace=namespace, labels=labels, port=6379, storage="5Gi",
                             pod_template=manifests.redis_pod_template(labels=labels, secret_name="quay-redis"),
                             parent=parent)
    return Endpoint(f"{host}.{namespace_name}.svc", 6379, password)
