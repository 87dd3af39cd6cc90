"""Quay's config.yaml as data (pure functions), and its rendering through templates/quay-config.yaml.j2."""
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import quote

from quaykit.settings.registry import BuildSettings, RegistrySettings

from ..templating import render

WORKER_IMAGE = "quay.io/projectquay/quay-builder"
BUILDER_VM_IMAGE = "quay.io/quay/quay-builder-qemu-fedoracoreos:stable"
# Where the build cluster's CA is mounted in the Quay container (`K8S_API_TLS_CA` is a path, not a PEM).
BUILD_CLUSTER_CA_DIR = "/conf/build-cluster"
BUILD_CLUSTER_CA_PATH = f"{BUILD_CLUSTER_CA_DIR}/ca.crt"


@dataclass(frozen=True)
class ResolvedBuildCluster:
    """A BuildCluster with its outputs resolved: what the config bundle is rendered from."""

    api_server: str
    token: str
    namespace: str
    node_label: str


def database_uri(*, user: str, password: str, host: str, port: int, name: str) -> str:
    return f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}@{host}:{port}/{name}"


def redis_block(*, host: str, port: int, password: Optional[str], ssl: bool) -> dict[str, Any]:
    block: dict[str, Any] = {"host": host, "port": port}
    if password:
        block["password"] = password
    if ssl:
        block["ssl"] = True
    return block


def build_manager_sections(builds: BuildSettings, cluster: ResolvedBuildCluster,
                           redis: dict[str, Any]) -> dict[str, Any]:
    """FEATURE_BUILD_SUPPORT, BUILD_MANAGER and BUILDMAN_HOSTNAME (quay/quay buildman/manager/executor.py)."""
    label_key, _, label_value = cluster.node_label.partition("=")
    executor = {
        "EXECUTOR": "kubernetes",
        "NAME": "buildpool",
        "BUILDER_NAMESPACE": cluster.namespace,
        "K8S_API_SERVER": cluster.api_server,
        "K8S_API_TLS_CA": BUILD_CLUSTER_CA_PATH,
        "SERVICE_ACCOUNT_TOKEN": cluster.token,
        # Only the openshift flavour applies node selector and limits; it emits plain Kubernetes fields.
        "KUBERNETES_DISTRIBUTION": "openshift",
        "NODE_SELECTOR_LABEL_KEY": label_key,
        "NODE_SELECTOR_LABEL_VALUE": label_value,
        "CONTAINER_MEMORY_REQUEST": builds.container_memory_request,
        "VM_MEMORY_LIMIT": builds.vm_memory,
        "VOLUME_SIZE": builds.volume_size,
        "MAXIMUM_JOB_TIME": builds.max_job_time,
        "BUILDER_VM_CONTAINER_IMAGE": BUILDER_VM_IMAGE,
        "WORKER_IMAGE": WORKER_IMAGE,
        "WORKER_TAG": builds.worker_tag,  # KeyError in Quay without it
        "CONTAINER_RUNTIME": "podman",
        "CA_CERT": builds.ca_certificate,  # required: the bundle carries no ssl.cert (TLS ends at the ingress)
        "SETUP_TIME": 180,
        "MINIMUM_RETRY_THRESHOLD": 0,
    }
    orchestrator = {"REDIS_HOST": redis["host"], "REDIS_PORT": redis["port"],
                    "REDIS_PASSWORD": redis.get("password", ""), "REDIS_SSL": bool(redis.get("ssl"))}
    return {
        "FEATURE_BUILD_SUPPORT": True,
        "BUILDMAN_HOSTNAME": f"{builds.buildman_hostname}:443",
        "BUILD_MANAGER": ["ephemeral", {"ALLOWED_WORKER_COUNT": builds.max_workers,
                                        "ORCHESTRATOR_PREFIX": "buildman/production/",
                                        "ORCHESTRATOR": orchestrator, "EXECUTORS": [executor]}],
    }


def quay_config_sections(settings: RegistrySettings, *, db_uri: str, redis: dict[str, Any],
                         storage: dict[str, Any], secret_key: str, database_secret_key: str,
                         build_cluster: Optional[ResolvedBuildCluster] = None,
                         clair: Optional[dict[str, Any]] = None) -> dict[str, dict[str, Any]]:
    """Every key Quay needs to boot, grouped for a readable file (quay/quay util/config/schema.py)."""
    sections: dict[str, dict[str, Any]] = {
        "Server": {
            "SETUP_COMPLETE": True,
            "PREFERRED_URL_SCHEME": "https",
            "SERVER_HOSTNAME": settings.hostname,
            # TLS ends at the ingress; Quay serves plain HTTP on 8080 behind it.
            "EXTERNAL_TLS_TERMINATION": True,
            "AUTHENTICATION_TYPE": "Database",
            "SUPER_USERS": list(settings.superusers),
            "FEATURE_USER_CREATION": False,
        },
        "Secrets (generated once, kept in Pulumi state)": {
            "SECRET_KEY": secret_key,
            "DATABASE_SECRET_KEY": database_secret_key,
        },
        "Database": {"DB_URI": db_uri, "DB_CONNECTION_ARGS": {"autorollback": True, "threadlocals": True}},
        "Redis": {"BUILDLOGS_REDIS": redis, "USER_EVENTS_REDIS": redis},
        "Storage (from the storage layer)": dict(storage),
        "Tags": {"DEFAULT_TAG_EXPIRATION": settings.default_tag_expiration,
                 "TAG_EXPIRATION_OPTIONS": list(settings.tag_expiration_options)},
        "Features": {"FEATURE_REPO_MIRROR": settings.mirroring.enabled,
                     "FEATURE_SECURITY_SCANNER": clair is not None},
    }
    if clair is not None:
        sections["Features"].update(clair)
    if settings.builds.enabled and build_cluster is not None:
        sections["Builds (on the build pool's cluster)"] = build_manager_sections(settings.builds, build_cluster,
                                                                                 redis)
    else:
        sections["Builds"] = {"FEATURE_BUILD_SUPPORT": False}
    return sections


def render_quay_config(environment: str, sections: dict[str, dict[str, Any]]) -> str:
    return render("quay-config.yaml.j2", {"environment": environment, "sections": sections})
