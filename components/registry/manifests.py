"""Kubernetes object specs for Quay's own workloads, as plain data (pure functions)."""
from typing import Any, Optional

QUAY_IMAGE = "quay.io/projectquay/quay"
PSQL_IMAGE = "docker.io/library/postgres:16.4"
HTTP_PORT, METRICS_PORT, GRPC_PORT = 8080, 9091, 50051
CONFIG_CHECKSUM = "quaykit.dev/config-checksum"
QUAY_NAME = {"app.kubernetes.io/name": "quay"}
"""Every pod that runs the Quay image (app, mirror workers, migrations) carries this label."""

# Quay's working security context (Red Hat Quay docs, "configure_red_hat_quay"): non-root, no escalation, drop ALL but NET_BIND_SERVICE.
QUAY_SECURITY_CONTEXT = {
    "runAsNonRoot": True,
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}
POD_SECURITY_CONTEXT = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}


def topology_spread(selector: dict[str, str]) -> list[dict[str, Any]]:
    # ScheduleAnyway: spread when the cluster can, but never leave a replica pending on a small cluster.
    return [{"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": "ScheduleAnyway",
             "labelSelector": {"matchLabels": selector}}
            for key in ("kubernetes.io/hostname", "topology.kubernetes.io/zone")]


def _quay_container(*, name: str, image_tag: str, args: list[str], resources: dict[str, Any],
                    mounts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"name": name, "image": f"{QUAY_IMAGE}:{image_tag}", "args": args,
            "volumeMounts": mounts, "resources": resources, "securityContext": QUAY_SECURITY_CONTEXT}


def _config_volumes(config_secret: str, build_ca_secret: Optional[str],
                    build_ca_dir: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    volumes = [{"name": "config", "secret": {"secretName": config_secret}}]
    mounts = [{"name": "config", "mountPath": "/conf/stack", "readOnly": True}]
    if build_ca_secret:
        volumes.append({"name": "build-cluster-ca", "secret": {"secretName": build_ca_secret}})
        mounts.append({"name": "build-cluster-ca", "mountPath": build_ca_dir, "readOnly": True})
    return volumes, mounts


def quay_pod_template(*, labels: dict[str, str], image_tag: str, mode: str, config_secret: str,
                      config_checksum: str, service_account: str, resources: dict[str, Any],
                      build_ca_secret: Optional[str] = None, build_ca_dir: str = "") -> dict[str, Any]:
    """Pods that serve or mirror (`registry-nomigrate` / `repomirror`); migrations run in their own Job first."""
    volumes, mounts = _config_volumes(config_secret, build_ca_secret, build_ca_dir)
    container = _quay_container(name="quay", image_tag=image_tag, args=[mode], resources=resources, mounts=mounts)
    container["ports"] = [{"name": "http", "containerPort": HTTP_PORT},
                          {"name": "metrics", "containerPort": METRICS_PORT},
                          {"name": "grpc", "containerPort": GRPC_PORT}]
    instance = {"httpGet": {"path": "/health/instance", "port": HTTP_PORT}, "timeoutSeconds": 10}
    container["startupProbe"] = {**instance, "periodSeconds": 10, "failureThreshold": 60}
    container["livenessProbe"] = {**instance, "periodSeconds": 30, "failureThreshold": 3}
    # endtoend also checks Redis and storage: a blip there must take pods out of rotation, not restart them.
    container["readinessProbe"] = {"httpGet": {"path": "/health/endtoend", "port": HTTP_PORT},
                                   "periodSeconds": 10, "timeoutSeconds": 10}
    return {
        # A new checksum rolls the pods when the config bundle changes.
        "metadata": {"labels": labels, "annotations": {CONFIG_CHECKSUM: config_checksum}},
        "spec": {
            # The service-account token stays mounted: the Quay image needs it in Kubernetes.
            "serviceAccountName": service_account,
            "securityContext": POD_SECURITY_CONTEXT,
            "topologySpreadConstraints": topology_spread(labels),
            "containers": [container],
            "volumes": volumes,
        },
    }


def pg_trgm_container(database_secret: str) -> dict[str, Any]:
    """Quay needs pg_trgm; it is a trusted extension (PostgreSQL ≥ 13), so the database owner may create it."""
    return {"name": "pg-trgm", "image": PSQL_IMAGE,
            "command": ["psql", "$(DB_URI)", "-v", "ON_ERROR_STOP=1", "-c", "CREATE EXTENSION IF NOT EXISTS pg_trgm"],
            "env": [{"name": "DB_URI", "valueFrom": {"secretKeyRef": {"name": database_secret, "key": "DB_URI"}}}],
            "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
            "securityContext": {**QUAY_SECURITY_CONTEXT, "runAsUser": 999, "capabilities": {"drop": ["ALL"]}}}


def migration_job_spec(*, labels: dict[str, str], image_tag: str, config_secret: str, database_secret: str,
                       service_account: str) -> dict[str, Any]:
    """`alembic upgrade head` once per image tag, before any app pod starts (they run `registry-nomigrate`)."""
    volumes, mounts = _config_volumes(config_secret, None, "")
    container = _quay_container(name="migrate", image_tag=image_tag, args=["migrate", "head"], mounts=mounts,
                                resources={"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "2Gi"}})
    return {
        "backoffLimit": 6,
        "template": {
            "metadata": {"labels": labels},
            "spec": {"restartPolicy": "OnFailure", "serviceAccountName": service_account,
                     "securityContext": POD_SECURITY_CONTEXT, "initContainers": [pg_trgm_container(database_secret)],
                     "containers": [container], "volumes": volumes},
        },
    }


def quay_resources(*, cpu_request: str, memory_request: str, memory_limit: str) -> dict[str, Any]:
    return {"requests": {"cpu": cpu_request, "memory": memory_request}, "limits": {"memory": memory_limit}}


def service_ports() -> list[dict[str, Any]]:
    return [{"name": "http", "port": 80, "targetPort": HTTP_PORT},
            {"name": "metrics", "port": METRICS_PORT, "targetPort": METRICS_PORT},
            {"name": "grpc", "port": GRPC_PORT, "targetPort": GRPC_PORT}]


def disruption_budget_spec(selector: dict[str, str]) -> dict[str, Any]:
    return {"maxUnavailable": 1, "selector": {"matchLabels": selector}}


def autoscaler_spec(*, deployment: str, min_replicas: int, max_replicas: int, cpu_percent: int) -> dict[str, Any]:
    return {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment},
        "minReplicas": min_replicas,
        "maxReplicas": max_replicas,
        "metrics": [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": cpu_percent}}}],
    }


def service_monitor_spec(selector: dict[str, str]) -> dict[str, Any]:
    return {"selector": {"matchLabels": selector}, "endpoints": [{"port": "metrics", "interval": "30s"}]}
