"""PostgreSQL and Redis as in-cluster StatefulSets (dev, and Clair's database), or external endpoints from settings."""
from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from quaykit.settings.registry import DatabaseSettings, RedisSettings

POSTGRES_IMAGE = "docker.io/library/postgres:16.4"
REDIS_IMAGE = "docker.io/library/redis:7.4.1"
PG_TRGM_INIT_SQL = "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n"
DATASTORE_SECURITY_CONTEXT = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}
POD_SECURITY_CONTEXT = {"runAsNonRoot": True, "runAsUser": 999, "fsGroup": 999,
                        "seccompProfile": {"type": "RuntimeDefault"}}


@dataclass(frozen=True)
class Endpoint:
    host: pulumi.Input[str]
    port: int
    password: Optional[pulumi.Output[str]]
    labels: Optional[dict[str, str]] = None
    """Pod labels of an in-cluster server (for NetworkPolicies); None for an external one."""
    resources: list[pulumi.Resource] = field(default_factory=list)
    """What must exist before a client starts (the in-cluster StatefulSet)."""


def _generated_password(name: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    return random.RandomPassword(name, length=32, special=False, opts=pulumi.ResourceOptions(parent=parent)).result


def _stateful_service(name: str, *, namespace: pulumi.Input[str], labels: dict, port: int, pod_template: dict,
                      storage: str, parent: pulumi.Resource) -> pulumi.Resource:
    opts = pulumi.ResourceOptions(parent=parent)
    app = labels["app.kubernetes.io/name"]
    k8s.core.v1.Service(name, metadata={"name": app, "namespace": namespace, "labels": labels},
                        spec={"selector": labels, "ports": [{"port": port, "targetPort": port}]}, opts=opts)
    claim = {"metadata": {"name": "data"},
             "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": storage}}}}
    return k8s.apps.v1.StatefulSet(name, metadata={"name": app, "namespace": namespace, "labels": labels},
                                   spec={"serviceName": app, "replicas": 1, "selector": {"matchLabels": labels},
                                         "template": pod_template, "volumeClaimTemplates": [claim]}, opts=opts)


def _container(name: str, image: str, port: int, resources: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "image": image, "ports": [{"name": name, "containerPort": port}],
            "resources": resources, "securityContext": DATASTORE_SECURITY_CONTEXT, **extra}


def postgres_pod_template(*, labels: dict[str, str], user: str, secret_name: str,
                          init_config_map: str) -> dict[str, Any]:
    container = _container(
        "postgres", POSTGRES_IMAGE, 5432, {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"memory": "2Gi"}},
        envFrom=[{"secretRef": {"name": secret_name}}],
        env=[{"name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"}],
        volumeMounts=[{"name": "data", "mountPath": "/var/lib/postgresql/data"},
                      # Runs once, at initdb: Quay needs pg_trgm and cannot create it unprivileged.
                      {"name": "init", "mountPath": "/docker-entrypoint-initdb.d", "readOnly": True}],
        readinessProbe={"exec": {"command": ["pg_isready", "-U", user]}, "periodSeconds": 10})
    return {"metadata": {"labels": labels},
            "spec": {"securityContext": POD_SECURITY_CONTEXT, "containers": [container],
                     "volumes": [{"name": "init", "configMap": {"name": init_config_map}}]}}


def redis_pod_template(*, labels: dict[str, str], secret_name: str) -> dict[str, Any]:
    container = _container(
        "redis", REDIS_IMAGE, 6379, {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "1Gi"}},
        args=["--requirepass", "$(REDIS_PASSWORD)", "--appendonly", "yes"],
        env=[{"name": "REDIS_PASSWORD", "valueFrom": {"secretKeyRef": {"name": secret_name, "key": "password"}}}],
        volumeMounts=[{"name": "data", "mountPath": "/data"}])
    return {"metadata": {"labels": labels},
            "spec": {"securityContext": POD_SECURITY_CONTEXT, "containers": [container]}}


def postgres(name: str, *, settings: DatabaseSettings, namespace: pulumi.Input[str], parent: pulumi.Resource,
             namespace_name: str, app: str = "quay-postgres") -> Endpoint:
    """`name` prefixes the Pulumi resources; `app` names the Kubernetes objects (and the host)."""
    if settings.mode == "external":
        return Endpoint(settings.host, settings.port, pulumi.Output.secret(settings.password.get_secret_value()))
    labels = {"app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "quaykit"}
    password = _generated_password(f"{name}-password", parent)
    opts = pulumi.ResourceOptions(parent=parent)
    k8s.core.v1.Secret(name, metadata={"name": app, "namespace": namespace},
                       string_data={"POSTGRES_USER": settings.user, "POSTGRES_DB": settings.name,
                                    "POSTGRES_PASSWORD": password}, opts=opts)
    k8s.core.v1.ConfigMap(f"{name}-init", metadata={"name": f"{app}-init", "namespace": namespace},
                          data={"10-pg-trgm.sql": PG_TRGM_INIT_SQL}, opts=opts)
    server = _stateful_service(name, namespace=namespace, labels=labels, port=5432, storage="20Gi",
                               pod_template=postgres_pod_template(labels=labels, user=settings.user, secret_name=app,
                                                                  init_config_map=f"{app}-init"),
                               parent=parent)
    return Endpoint(f"{app}.{namespace_name}.svc", 5432, password, labels, [server])


def redis(name: str, *, settings: RedisSettings, namespace: pulumi.Input[str], parent: pulumi.Resource,
          namespace_name: str) -> Endpoint:
    if settings.mode == "external":
        password = settings.password and pulumi.Output.secret(settings.password.get_secret_value())
        return Endpoint(settings.host, settings.port, password)
    app = "quay-redis"
    labels = {"app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "quaykit"}
    password = _generated_password(f"{name}-password", parent)
    k8s.core.v1.Secret(name, metadata={"name": app, "namespace": namespace},
                       string_data={"password": password}, opts=pulumi.ResourceOptions(parent=parent))
    server = _stateful_service(name, namespace=namespace, labels=labels, port=6379, storage="5Gi",
                               pod_template=redis_pod_template(labels=labels, secret_name=app), parent=parent)
    return Endpoint(f"{app}.{namespace_name}.svc", 6379, password, labels, [server])
