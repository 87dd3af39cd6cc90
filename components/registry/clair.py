"""Clair, Quay's vulnerability scanner: its own PostgreSQL, a config Secret, a Deployment and a Service."""
import base64
import hashlib
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from quaykit.settings.registry import ClairSettings, DatabaseSettings

from ..templating import render
from . import datastores
from .manifests import CONFIG_CHECKSUM, POD_SECURITY_CONTEXT, QUAY_SECURITY_CONTEXT

CLAIR_IMAGE = "quay.io/projectquay/clair"
# Not "config.yaml": the preview treats the Secret holding config.yaml as Quay's bundle.
HTTP_PORT, INTROSPECTION_PORT = 8080, 8089
LABELS = {"app.kubernetes.io/name": "clair", "app.kubernetes.io/part-of": "quaykit"}
DATABASE = DatabaseSettings(name="clair", user="clair")


def connection_string(host: str, password: str) -> str:
    return f"host={host} port=5432 dbname={DATABASE.name} user={DATABASE.user} password={password} sslmode=disable"


def clair_config(*, connstring: str, psk: str, quay_hostname: str, callback: str) -> dict[str, Any]:
    database = {"connstring": connstring, "migrations": True}
    return {
        "http_listen_addr": f":{HTTP_PORT}",
        "introspection_addr": f":{INTROSPECTION_PORT}",
        "log_level": "info",
        "indexer": {**database, "scanlock_retry": 10, "layer_scan_concurrency": 5},
        "matcher": {**database, "max_conn_pool": 100},
        "notifier": {**database, "delivery_interval": "1m", "poll_interval": "5m",
                     "webhook": {"target": f"https://{quay_hostname}/secscan/notification", "callback": callback}},
        # Quay signs its requests with this pre-shared key (SECURITY_SCANNER_V4_PSK).
        "auth": {"psk": {"key": psk, "iss": ["quay"]}},
        "metrics": {"name": "prometheus"},
    }


def pod_template(*, image_tag: str, config_checksum: str) -> dict[str, Any]:
    probe = {"periodSeconds": 10, "timeoutSeconds": 5}
    container = {
        "name": "clair", "image": f"{CLAIR_IMAGE}:{image_tag}",
        "env": [{"name": "CLAIR_CONF", "value": "/clair/clair.yaml"}, {"name": "CLAIR_MODE", "value": "combo"}],
        "ports": [{"name": "http", "containerPort": HTTP_PORT},
                  {"name": "introspection", "containerPort": INTROSPECTION_PORT}],
        "readinessProbe": {"httpGet": {"path": "/readyz", "port": INTROSPECTION_PORT}, **probe},
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": INTROSPECTION_PORT}, **probe},
        "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "4Gi"}},
        "volumeMounts": [{"name": "config", "mountPath": "/clair", "readOnly": True},
                         {"name": "tmp", "mountPath": "/tmp"}],
        "securityContext": {**QUAY_SECURITY_CONTEXT, "capabilities": {"drop": ["ALL"]}},
    }
    return {"metadata": {"labels": LABELS, "annotations": {CONFIG_CHECKSUM: config_checksum}},
            "spec": {"automountServiceAccountToken": False, "containers": [container],
                     "securityContext": {**POD_SECURITY_CONTEXT, "runAsUser": 65534},
                     "volumes": [{"name": "config", "secret": {"secretName": "clair-config"}},
                                 {"name": "tmp", "emptyDir": {}}]}}


def deploy(name: str, *, settings: ClairSettings, quay_hostname: str, environment: str,
           namespace: pulumi.Input[str], namespace_name: str, parent: pulumi.Resource) -> tuple[datastores.Endpoint,
                                                                                              pulumi.Output[dict]]:
    """Declare Clair; returns its database endpoint and the keys Quay's config needs to call it."""
    opts = pulumi.ResourceOptions(parent=parent)
    database = datastores.postgres(f"{name}-postgres", settings=DATABASE, namespace=namespace, parent=parent,
                                   namespace_name=namespace_name, app="clair-postgres")
    psk = random.RandomPassword(f"{name}-psk", length=32, special=False, opts=opts).result.apply(
        lambda raw: base64.b64encode(raw.encode()).decode())
    endpoint = f"http://clair.{namespace_name}.svc:{HTTP_PORT}"
    config_yaml = pulumi.Output.secret(pulumi.Output.all(database.password, psk).apply(
        lambda v: render("clair-config.yaml.j2", {"environment": environment, "config": clair_config(
            connstring=connection_string(database.host, v[0]), psk=v[1], quay_hostname=quay_hostname,
            callback=f"{endpoint}/notifier/api/v1/notifications")})))
    k8s.core.v1.Secret(f"{name}-config", metadata={"name": "clair-config", "namespace": namespace, "labels": LABELS},
                       string_data={"clair.yaml": config_yaml}, opts=opts)
    checksum = pulumi.Output.unsecret(config_yaml.apply(lambda text: hashlib.sha256(text.encode()).hexdigest()))
    k8s.apps.v1.Deployment(name, metadata={"name": "clair", "namespace": namespace, "labels": LABELS},
                           spec={"replicas": 1, "selector": {"matchLabels": LABELS},
                                 "template": checksum.apply(lambda c: pod_template(image_tag=settings.image_tag,
                                                                                   config_checksum=c))},
                           opts=pulumi.ResourceOptions(parent=parent, depends_on=database.resources))
    k8s.core.v1.Service(name, metadata={"name": "clair", "namespace": namespace, "labels": LABELS},
                        spec={"selector": LABELS, "ports": [{"name": "http", "port": HTTP_PORT,
                                                              "targetPort": HTTP_PORT}]}, opts=opts)
    quay_keys = psk.apply(lambda key: {"SECURITY_SCANNER_V4_ENDPOINT": endpoint, "SECURITY_SCANNER_V4_PSK": key,
                                       "SECURITY_SCANNER_INDEXING_INTERVAL": 30})
    return database, quay_keys
