"""Kubernetes object specs for Quay and its in-cluster datastores, as plain data (pure functions)."""
from typing import Any

QUAY_IMAGE = "quay.io/projectquay/quay"
POSTGRES_IMAGE = "docker.io/library/postgres:16.4"
REDIS_IMAGE = "docker.io/library/redis:7.4.1"
HTTP_PORT, METRICS_PORT, GRPC_PORT = 8080, 9091, 50051

# Quay's working security context (../shared/DOMAIN.md §1): non-root, no escalation, drop ALL but NET_BIND_SERVICE.
QUAY_SECURITY_CONTEXT = {
    "runAsNonRoot": True,
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}
DATASTORE_SECURITY_CONTEXT = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


def quay_pod_template(*, labels: dict[str, str], image_tag: str, config_secret: str,
                      config_checksum: str) -> dict[str, Any]:
    health = {"httpGet": {"path": "/health/instance", "port": HTTP_PORT}}
    return {
        # A new checksum rolls the pods when the config bundle changes.
        "metadata": {"labels": labels, "annotations": {"quaykit.dev/config-checksum": config_checksum}},
        "spec": {
            "containers": [{
                "name": "quay",
                "image": f"{QUAY_IMAGE}:{image_tag}",
                "ports": [{"name": "http", "containerPort": HTTP_PORT},
                          {"name": "metrics", "containerPort": METRICS_PORT},
                          {"name": "grpc", "containerPort": GRPC_PORT}],
                "volumeMounts": [{"name": "config", "mountPath": "/conf/stack", "readOnly": True}],
                "startupProbe": {**health, "periodSeconds": 10, "failureThreshold": 60},
                "livenessProbe": {**health, "periodSeconds": 30, "failureThreshold": 3},
                "readinessProbe": {"httpGet": {"path": "/health/endtoend", "port": HTTP_PORT}, "periodSeconds": 10},
                "resources": {"requests": {"cpu": "1", "memory": "4Gi"}, "limits": {"memory": "8Gi"}},
                "securityContext": QUAY_SECURITY_CONTEXT,
            }],
            "volumes": [{"name": "config", "secret": {"secretName": config_secret}}],
        },
    }


def service_ports() -> list[dict[str, Any]]:
    return [{"name": "http", "port": 80, "targetPort": HTTP_PORT},
            {"name": "metrics", "port": METRICS_PORT, "targetPort": METRICS_PORT},
            {"name": "grpc", "port": GRPC_PORT, "targetPort": GRPC_PORT}]


def postgres_pod_template(*, labels: dict[str, str], secret_name: str, init_config_map: str) -> dict[str, Any]:
    return {
        "metadata": {"labels": labels},
        "spec": {
            "securityContext": {"runAsNonRoot": True, "runAsUser": 999, "fsGroup": 999},
            "containers": [{
                "name": "postgres",
                "image": POSTGRES_IMAGE,
                "ports": [{"name": "postgres", "containerPort": 5432}],
                "envFrom": [{"secretRef": {"name": secret_name}}],
                "env": [{"name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"}],
                "volumeMounts": [{"name": "data", "mountPath": "/var/lib/postgresql/data"},
                                 {"name": "init", "mountPath": "/docker-entrypoint-initdb.d", "readOnly": True}],
                "readinessProbe": {"exec": {"command": ["pg_isready", "-U", "quay"]}, "periodSeconds": 10},
                "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"memory": "2Gi"}},
                "securityContext": DATASTORE_SECURITY_CONTEXT,
            }],
            "volumes": [{"name": "init", "configMap": {"name": init_config_map}}],
        },
    }


def redis_pod_template(*, labels: dict[str, str], secret_name: str) -> dict[str, Any]:
    return {
        "metadata": {"labels": labels},
        "spec": {
            "securityContext": {"runAsNonRoot": True, "runAsUser": 999, "fsGroup": 999},
            "containers": [{
                "name": "redis",
                "image": REDIS_IMAGE,
                "args": ["--requirepass", "$(REDIS_PASSWORD)", "--appendonly", "yes"],
                "env": [{"name": "REDIS_PASSWORD",
                         "valueFrom": {"secretKeyRef": {"name": secret_name, "key": "password"}}}],
                "ports": [{"name": "redis", "containerPort": 6379}],
                "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "1Gi"}},
                "securityContext": DATASTORE_SECURITY_CONTEXT,
            }],
        },
    }


def data_volume_claim(size: str) -> dict[str, Any]:
    return {"metadata": {"name": "data"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}}


PG_TRGM_INIT_SQL = "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n"
