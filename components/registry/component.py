"""Registry layer: Quay on Kubernetes — namespace, config bundle, datastores, workloads, exposure, network policy."""
import hashlib
from typing import Any, Optional

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from quaykit.settings.registry import QUAY_SERVICE_ACCOUNT, RegistrySettings

from ..interfaces import BuildCluster
from . import aws_datastores, clair, datastores, manifests, network
from .quay_config import (BUILD_CLUSTER_CA_DIR, ResolvedBuildCluster, database_uri, quay_config_sections,
                          redis_block, render_quay_config)

CONFIG_SECRET, DATABASE_SECRET, BUILD_CA_SECRET = "quay-config", "quay-database", "quay-build-cluster-ca"
SERVICE_ACCOUNT = QUAY_SERVICE_ACCOUNT
PART_OF = {"app.kubernetes.io/part-of": "quaykit"}


def resolve_build_cluster(cluster: BuildCluster) -> pulumi.Output[ResolvedBuildCluster]:
    return pulumi.Output.all(cluster.api_server, cluster.token).apply(
        lambda v: ResolvedBuildCluster(api_server=v[0], token=v[1], namespace=cluster.namespace,
                                       node_label=cluster.node_label))


class QuayRegistry(pulumi.ComponentResource):
    """Quay and what it needs on one Kubernetes cluster.

    `storage_config` is the storage layer's `quay_storage_config`, used as is.
    `build_cluster` is the build pool's cluster; required when `builds.enabled`. `service_account_annotations` go on Quay's ServiceAccount (e.g. an IRSA role ARN).
    Outputs: `url`, `namespace`, `config_checksum`.
    """

    def __init__(self, name: str, *, settings: RegistrySettings, environment: str,
                 storage_config: pulumi.Input[dict[str, Any]],
                 build_cluster: Optional[BuildCluster] = None,
                 service_account_annotations: Optional[pulumi.Input[dict[str, str]]] = None,
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("quaykit:registry:QuayRegistry", name, None, opts)
        builds = settings.builds
        if builds.enabled and build_cluster is None:
            raise ValueError("registry.builds.enabled needs the build pool's BuildCluster")
        build_cluster = build_cluster if builds.enabled else None
        self._name, self._settings = name, settings
        child = pulumi.ResourceOptions(parent=self)
        self._labels = {**PART_OF, "quaykit.dev/environment": environment}
        restricted = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")}
        namespace = k8s.core.v1.Namespace(f"{name}-namespace", metadata={
            "name": settings.namespace,
            "labels": {**restricted, "pod-security.kubernetes.io/enforce-version": "latest", **self._labels}},
            opts=child)
        self._ns = namespace.metadata["name"]
        k8s.core.v1.ServiceAccount(f"{name}-service-account", metadata={
            "name": SERVICE_ACCOUNT, "namespace": self._ns, "labels": self._labels,
            "annotations": service_account_annotations or {}}, opts=child)

        database, redis = self._datastores()
        db_uri = pulumi.Output.secret(pulumi.Output.all(database.host, database.password).apply(
            lambda v: database_uri(user=settings.database.user, password=v[1], host=v[0],
                                   port=settings.database.port, name=settings.database.name)))
        # The migration Job creates pg_trgm with it first: an external server does not have it by default.
        database_secret = k8s.core.v1.Secret(f"{name}-database", metadata=self._meta(DATABASE_SECRET),
                                             string_data={"DB_URI": db_uri}, opts=child)
        scanner_db, scanner_keys = (clair.deploy(f"{name}-clair", settings=settings.clair, environment=environment,
                                                 quay_hostname=settings.hostname, namespace=self._ns,
                                                 namespace_name=settings.namespace, parent=self)
                                    if settings.clair.enabled else (None, None))
        if build_cluster is not None:
            k8s.core.v1.Secret(f"{name}-build-cluster-ca", metadata=self._meta(BUILD_CA_SECRET),
                               string_data={"ca.crt": build_cluster.ca_certificate}, opts=child)

        config_yaml = self._config_bundle(environment, storage_config, db_uri, redis, build_cluster, scanner_keys)
        config = k8s.core.v1.Secret(f"{name}-config", metadata=self._meta(CONFIG_SECRET),
                                    string_data={"config.yaml": config_yaml}, opts=child)
        checksum = pulumi.Output.unsecret(config_yaml.apply(lambda text: hashlib.sha256(text.encode()).hexdigest()))

        self._workloads(checksum, depends_on=[config, database_secret, *database.resources, *redis.resources],
                        with_build_ca=build_cluster is not None)
        self._exposure()
        self._network_policies(database, redis, scanner_db)

        self.url = pulumi.Output.from_input(f"https://{settings.hostname}")
        self.namespace = self._ns
        self.config_checksum = checksum
        self.register_outputs({"url": self.url, "namespace": self.namespace, "config_checksum": checksum})

    def _child(self, **kwargs: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **kwargs)

    def _meta(self, name: str, **labels: str) -> dict[str, Any]:
        return {"name": name, "namespace": self._ns, "labels": {**self._labels, **labels}}

    def _datastores(self) -> tuple[datastores.Endpoint, datastores.Endpoint]:
        s, name = self._settings, self._name
        if s.database.mode == "aws":
            database = aws_datastores.rds_postgres(f"{name}-postgres", settings=s.database, network=s.aws, parent=self)
        else:
            database = datastores.postgres(f"{name}-postgres", settings=s.database, namespace=self._ns, parent=self,
                                           namespace_name=s.namespace)
        if s.redis.mode == "aws":
            redis = aws_datastores.elasticache_redis(f"{name}-redis", settings=s.redis, network=s.aws, parent=self)
        else:
            redis = datastores.redis(f"{name}-redis", settings=s.redis, namespace=self._ns, parent=self,
                                     namespace_name=s.namespace)
        return database, redis

    def _config_bundle(self, environment: str, storage_config: pulumi.Input[dict[str, Any]],
                       db_uri: pulumi.Output[str], redis: datastores.Endpoint,
                       build_cluster: Optional[BuildCluster],
                       scanner_keys: Optional[pulumi.Output[dict]]) -> pulumi.Output[str]:
        s, name = self._settings, self._name
        # Generated once and kept in state: DATABASE_SECRET_KEY must never change for the life of the database.
        secret_key = random.RandomPassword(f"{name}-secret-key", length=64, special=False, opts=self._child()).result
        database_secret_key = random.RandomPassword(f"{name}-database-secret-key", length=64, special=False,
                                                    opts=self._child()).result
        resolved = resolve_build_cluster(build_cluster) if build_cluster is not None else None
        text = pulumi.Output.all(
            db_uri, redis.host, redis.password, storage_config, secret_key, database_secret_key, resolved,
            scanner_keys,
        ).apply(lambda v: render_quay_config(environment, quay_config_sections(
            s, db_uri=v[0],
            redis=redis_block(host=v[1], port=redis.port, password=v[2], ssl=s.redis.ssl or s.redis.mode == "aws"),
            storage=v[3], secret_key=v[4], database_secret_key=v[5], build_cluster=v[6], clair=v[7])))
        return pulumi.Output.secret(text)

    def _workloads(self, checksum: pulumi.Output[str], *, depends_on: list[pulumi.Resource],
                   with_build_ca: bool) -> None:
        s, name = self._settings, self._name
        migrate_labels = {**manifests.QUAY_NAME, "app.kubernetes.io/component": "migrate"}
        migration = k8s.batch.v1.Job(
            f"{name}-migrate",
            # One Job per image tag: an upgrade migrates once, a config edit does not re-run it.
            metadata=self._meta(f"quay-migrate-{s.image_tag.replace('.', '-')}", **migrate_labels),
            spec=manifests.migration_job_spec(labels={**self._labels, **migrate_labels}, image_tag=s.image_tag,
                                              config_secret=CONFIG_SECRET, database_secret=DATABASE_SECRET,
                                              service_account=SERVICE_ACCOUNT),
            opts=self._child(depends_on=depends_on))
        resources = manifests.quay_resources(cpu_request=s.cpu_request, memory_request=s.memory_request,
                                             memory_limit=s.memory_limit)

        def deployment(resource: str, component: str, mode: str, replicas: int, **opts: Any) -> None:
            selector = {**manifests.QUAY_NAME, "app.kubernetes.io/component": component}
            k8s.apps.v1.Deployment(resource, metadata=self._meta(resource.removeprefix(f"{name}-"), **selector), spec={
                "replicas": replicas, "selector": {"matchLabels": selector},
                "template": checksum.apply(lambda c: manifests.quay_pod_template(
                    labels={**self._labels, **selector}, image_tag=s.image_tag, mode=mode,
                    config_secret=CONFIG_SECRET, config_checksum=c, service_account=SERVICE_ACCOUNT,
                    resources=resources, build_ca_secret=BUILD_CA_SECRET if with_build_ca else None,
                    build_ca_dir=BUILD_CLUSTER_CA_DIR))},
                opts=self._child(depends_on=[migration], **opts))

        # The autoscaler owns the replica count once it exists; `replicas` is only the starting point.
        deployment(f"{name}-quay", "registry", "registry-nomigrate", s.replicas,
                   ignore_changes=["spec.replicas"] if s.autoscaling.enabled else None)
        if s.mirroring.enabled:
            deployment(f"{name}-quay-mirror", "mirror", "repomirror", s.mirroring.replicas)

    def _exposure(self) -> None:
        s, name = self._settings, self._name
        selector = {**manifests.QUAY_NAME, "app.kubernetes.io/component": "registry"}
        k8s.core.v1.Service(f"{name}-quay", metadata=self._meta("quay", **manifests.QUAY_NAME),
                            spec={"selector": selector, "ports": manifests.service_ports()}, opts=self._child())
        k8s.policy.v1.PodDisruptionBudget(f"{name}-quay", metadata=self._meta("quay"),
                                          spec=manifests.disruption_budget_spec(selector), opts=self._child())
        if s.autoscaling.enabled:
            k8s.autoscaling.v2.HorizontalPodAutoscaler(f"{name}-quay", metadata=self._meta("quay"), spec=(
                manifests.autoscaler_spec(deployment="quay", min_replicas=s.replicas,
                                          max_replicas=s.autoscaling.max_replicas,
                                          cpu_percent=s.autoscaling.target_cpu_utilization)), opts=self._child())
        k8s.networking.v1.Ingress(f"{name}-quay", metadata={
            **self._meta("quay"), "annotations": network.ingress_annotations(
                grpc=False, cert_manager_issuer=s.cert_manager_issuer)},
            spec=network.ingress_spec(host=s.hostname, service="quay", port=80, tls_secret=s.tls_secret_name,
                                      ingress_class=s.ingress_class), opts=self._child())
        if s.builds.enabled:
            # Build VMs dial the build manager's gRPC endpoint through the ingress, with TLS, on 443.
            k8s.networking.v1.Ingress(f"{name}-quay-buildman", metadata={
                **self._meta("quay-buildman"), "annotations": network.ingress_annotations(
                    grpc=True, cert_manager_issuer=s.cert_manager_issuer)},
                spec=network.ingress_spec(host=s.builds.buildman_hostname, service="quay",
                                          port=manifests.GRPC_PORT, tls_secret=f"{s.tls_secret_name}-buildman",
                                          ingress_class=s.ingress_class), opts=self._child())
        if s.service_monitor:
            k8s.apiextensions.CustomResource(
                f"{name}-quay-metrics", api_version="monitoring.coreos.com/v1", kind="ServiceMonitor",
                metadata=self._meta("quay"), spec=manifests.service_monitor_spec(manifests.QUAY_NAME),
                opts=self._child())

    def _network_policies(self, database: datastores.Endpoint, redis: datastores.Endpoint,
                          scanner_db: Optional[datastores.Endpoint]) -> None:
        s, name = self._settings, self._name

        def policy(resource: str, spec: dict[str, Any]) -> None:
            k8s.networking.v1.NetworkPolicy(f"{name}-{resource}", metadata=self._meta(resource), spec=spec,
                                            opts=self._child())

        in_cluster = [(d.labels, d.port) for d in (database, redis) if d.labels]
        scanner = (clair.LABELS, clair.HTTP_PORT) if scanner_db else None
        policy("default-deny", network.default_deny())
        policy("quay", network.quay_policy(quay=manifests.QUAY_NAME, ingress_namespace=s.ingress_controller_namespace,
                                           datastores=in_cluster, scanner=scanner))
        for labels, port in in_cluster:
            policy(labels["app.kubernetes.io/name"],
                   network.datastore_policy(server=labels, port=port, clients=manifests.QUAY_NAME))
        if scanner_db:
            policy("clair", network.scanner_policy(scanner=clair.LABELS, port=clair.HTTP_PORT, quay=manifests.QUAY_NAME,
                                                   database=(scanner_db.labels, scanner_db.port)))
            policy("clair-postgres", network.datastore_policy(server=scanner_db.labels, port=scanner_db.port,
                                                              clients=clair.LABELS))
