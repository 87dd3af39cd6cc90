"""`quaykit:registry` — Quay on Kubernetes, its database and Redis."""
import re
from typing import Annotated, Literal, Optional

from pydantic import Field, SecretStr, field_validator, model_validator

from .base import Model
from .patterns import DNS_LABEL, SUBNET_ID, VPC_ID

EXPIRATION_PATTERN = r"^[0-9]+(w|m|d|h|s)$"
QUANTITY_PATTERN = r"^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$"
LABEL_PATTERN = r"^([a-z0-9.-]+/)?[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?=[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$"
# Both host names become Kubernetes Ingress hosts, which are plain DNS names: no port (TLS is on 443).
HOSTNAME_PATTERN = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$"


def _no_port(value: Optional[str]) -> Optional[str]:
    """A host name with a port gets its own message: the pattern's would not say what is wrong."""
    if isinstance(value, str) and re.fullmatch(r"[^:/]+:\d*", value):
        raise ValueError(f"remove the port: Ingress hosts are plain DNS names; TLS is on 443 (got {value!r})")
    return value
# The service account Quay runs as (an IRSA role must trust exactly this one).
QUAY_SERVICE_ACCOUNT = "quay"


class DatabaseSettings(Model):
    mode: Literal["in-cluster", "external", "aws"] = "in-cluster"
    """`in-cluster`: a PostgreSQL StatefulSet next to Quay (dev). `external`: an existing server. `aws`: an RDS
    PostgreSQL instance created in `registry.aws`'s private subnets, with a generated password."""

    host: Optional[str] = None
    """Server host name (required when mode is external)."""

    port: int = Field(default=5432, ge=1, le=65535)
    """Server port."""

    name: str = Field(default="quay", pattern=r"^[a-z_][a-z0-9_]*$")
    """Database name."""

    user: str = Field(default="quay", pattern=r"^[a-z_][a-z0-9_]*$")
    """Database user."""

    password: Optional[SecretStr] = None
    """Password of the external database (secure); generated for in-cluster and aws."""

    instance_class: str = Field(default="db.t4g.medium", pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$")
    """RDS instance class (mode aws)."""

    allocated_storage: int = Field(default=50, ge=20, le=65536)
    """RDS storage in GiB (mode aws); it grows automatically up to 4× this."""

    engine_version: str = Field(default="16", pattern=r"^\d+(\.\d+)?$")
    """RDS PostgreSQL major (or major.minor) version (mode aws)."""

    multi_az: bool = False
    """RDS standby in a second availability zone (mode aws; on for prod)."""

    @model_validator(mode="after")
    def _external_needs_endpoint(self):
        if self.mode == "external":
            if not self.host:
                raise ValueError("host: required when mode is external")
            if self.password is None:
                raise ValueError("password: required when mode is external (pulumi config set --secret)")
        return self


class RedisSettings(Model):
    mode: Literal["in-cluster", "external", "aws"] = "in-cluster"
    """`in-cluster`: a Redis StatefulSet next to Quay (dev). `external`: an existing server. `aws`: an ElastiCache
    replication group (TLS and AUTH on) created in `registry.aws`'s private subnets."""

    host: Optional[str] = None
    """Redis host (required when mode is external)."""

    port: int = Field(default=6379, ge=1, le=65535)
    """Redis port."""

    password: Optional[SecretStr] = None
    """Redis password (secure)."""

    ssl: bool = False
    """Connect to Redis over TLS (always on with mode aws)."""

    node_type: str = Field(default="cache.t4g.small", pattern=r"^cache\.[a-z0-9]+\.[a-z0-9]+$")
    """ElastiCache node type (mode aws)."""

    replicas: int = Field(default=0, ge=0, le=5)
    """ElastiCache read replicas (mode aws); with ≥ 1, failover to a replica is automatic."""

    @model_validator(mode="after")
    def _external_needs_host(self):
        if self.mode == "external" and not self.host:
            raise ValueError("host: required when mode is external")
        return self


class AwsNetworkSettings(Model):
    """The private network an RDS database / ElastiCache Redis is created in (mode aws)."""

    vpc_id: str = Field(pattern=VPC_ID)
    """VPC of the registry's Kubernetes nodes."""

    subnet_ids: list[Annotated[str, Field(pattern=SUBNET_ID)]] = Field(min_length=2)
    """Private subnets in at least two availability zones."""

    client_cidrs: list[Annotated[str, Field(pattern=r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$")]] = Field(min_length=1)
    """CIDRs of the pods/nodes that run Quay: the only sources allowed to reach the database and Redis."""


class AutoscalingSettings(Model):
    enabled: bool = False
    """Scale Quay pods with a HorizontalPodAutoscaler between `replicas` and `maxReplicas` (prod)."""

    max_replicas: int = Field(default=10, ge=1, le=100)
    """Upper bound of Quay pods under the autoscaler."""

    target_cpu_utilization: int = Field(default=70, ge=10, le=100)
    """Average CPU use (% of requests) the autoscaler aims for."""


class ClairSettings(Model):
    enabled: bool = False
    """Run the Clair vulnerability scanner (with its own in-cluster PostgreSQL) and turn on Quay's security scanning."""

    image_tag: str = Field(default="4.8.0", pattern=r"^\d+\.\d+\.\d+$")
    """Tag of `quay.io/projectquay/clair`; pinned."""


class MirroringSettings(Model):
    enabled: bool = False
    """Run repository-mirror workers and turn on `FEATURE_REPO_MIRROR`."""

    replicas: int = Field(default=1, ge=1, le=20)
    """Number of mirror worker pods."""


class BuildSettings(Model):
    enabled: bool = False
    """Turn on Quay's image builds (`FEATURE_BUILD_SUPPORT`), run as VMs on the build pool's cluster."""

    buildman_hostname: Optional[str] = Field(default=None, pattern=HOSTNAME_PATTERN)
    """Host name build VMs dial for the build manager's gRPC endpoint (a gRPC Ingress on 443, TLS secret
    `<tlsSecretName>-buildman`, issued by `certManagerIssuer` when set)."""

    ca_certificate: Optional[str] = Field(default=None, pattern=r"^-----BEGIN CERTIFICATE-----")
    """PEM of the CA that signed the registry's TLS certificate; build VMs trust it (`CA_CERT`, required by Quay)."""

    worker_tag: str = Field(default="v3.18.0", pattern=r"^[A-Za-z0-9_.-]+$")
    """Tag of `quay.io/projectquay/quay-builder` run inside each build VM (`WORKER_TAG`)."""

    max_workers: int = Field(default=5, ge=1, le=200)
    """Builds running at the same time (`ALLOWED_WORKER_COUNT`)."""

    vm_memory: str = Field(default="4G", pattern=r"^[0-9]+[MG]$")
    """Memory of each build VM (`VM_MEMORY_LIMIT`)."""

    container_memory_request: str = Field(default="5120Mi", pattern=QUANTITY_PATTERN)
    """Memory request of the builder pod hosting the VM (`CONTAINER_MEMORY_REQUEST`); above `vmMemory`."""

    volume_size: str = Field(default="32G", pattern=r"^[0-9]+[MG]$")
    """Scratch disk of each build VM (`VOLUME_SIZE`)."""

    max_job_time: int = Field(default=7200, ge=300, le=86400)
    """Seconds before a build is killed (`MAXIMUM_JOB_TIME`)."""

    _buildman_hostname_has_no_port = field_validator("buildman_hostname", mode="before")(_no_port)

    @model_validator(mode="after")
    def _enabled_needs_endpoints(self):
        if self.enabled:
            if not self.buildman_hostname:
                raise ValueError("buildmanHostname: required when builds are enabled")
            if not self.ca_certificate:
                raise ValueError("caCertificate: required when builds are enabled (Quay's CA_CERT)")
        return self


class RegistrySettings(Model):
    hostname: str = Field(pattern=HOSTNAME_PATTERN)
    """Public host name of the registry (`SERVER_HOSTNAME`), without scheme or port."""

    _hostname_has_no_port = field_validator("hostname", mode="before")(_no_port)

    kube_context: Optional[str] = Field(default=None, pattern=r"^[A-Za-z0-9@:/._-]{1,253}$")
    """kubeconfig context of the cluster Quay runs on; unset means the current context (set it: a stack should
    never deploy to whichever cluster happens to be current)."""

    namespace: str = Field(default="quay", pattern=DNS_LABEL)
    """Kubernetes namespace for Quay and its dependencies."""

    replicas: int = Field(default=1, ge=1, le=50)
    """Number of Quay pods."""

    image_tag: str = Field(default="v3.18.0", pattern=r"^v\d+\.\d+\.\d+$")
    """Tag of `quay.io/projectquay/quay`; pinned, never `latest`."""

    tls_secret_name: str = Field(default="quay-tls", pattern=DNS_LABEL)
    """TLS secret the Ingress terminates with (TLS ends at the ingress: `EXTERNAL_TLS_TERMINATION`)."""

    cert_manager_issuer: Optional[str] = Field(default=None, pattern=DNS_LABEL)
    """cert-manager ClusterIssuer that fills `tlsSecretName`; unset: the secret must already exist."""

    ingress_class: str = Field(default="nginx", pattern=DNS_LABEL)
    """IngressClass of the ingress controller (ingress-nginx: blob uploads and gRPC are annotated for it)."""

    ingress_controller_namespace: str = Field(default="ingress-nginx", pattern=DNS_LABEL)
    """Namespace of the ingress controller pods, the only source allowed to reach Quay."""

    superusers: list[str] = ["admin"]
    """Quay user names with superuser rights."""

    cpu_request: str = Field(default="1", pattern=QUANTITY_PATTERN)
    """CPU request of each Quay pod."""

    memory_request: str = Field(default="4Gi", pattern=QUANTITY_PATTERN)
    """Memory request of each Quay pod."""

    memory_limit: str = Field(default="8Gi", pattern=QUANTITY_PATTERN)
    """Memory limit of each Quay pod."""

    default_tag_expiration: str = Field(default="2w", pattern=EXPIRATION_PATTERN)
    """How long a deleted tag stays recoverable (`DEFAULT_TAG_EXPIRATION`), e.g. `2w`."""

    tag_expiration_options: list[Annotated[str, Field(pattern=EXPIRATION_PATTERN)]] = ["0s", "1d", "1w", "2w", "4w"]
    """Choices users get for tag expiration (`TAG_EXPIRATION_OPTIONS`); must include the default."""

    autoscaling: AutoscalingSettings = AutoscalingSettings()
    """HorizontalPodAutoscaler for Quay pods."""

    clair: ClairSettings = ClairSettings()
    """Clair vulnerability scanner."""

    mirroring: MirroringSettings = MirroringSettings()
    """Repository-mirror workers."""

    service_monitor: bool = False
    """Declare a Prometheus Operator ServiceMonitor for Quay's metrics port (needs the CRD in the cluster)."""

    builds: BuildSettings = BuildSettings()
    """Image builds as VMs on the build pool's cluster."""

    database: DatabaseSettings = DatabaseSettings()
    """PostgreSQL for Quay."""

    redis: RedisSettings = RedisSettings()
    """Redis for build logs and user events."""

    aws: Optional[AwsNetworkSettings] = None
    """Where RDS/ElastiCache are created when `database.mode` or `redis.mode` is aws."""

    @model_validator(mode="after")
    def _consistent(self):
        if "aws" in (self.database.mode, self.redis.mode) and self.aws is None:
            raise ValueError("aws: required when database.mode or redis.mode is aws (vpcId, subnetIds, clientCidrs)")
        if self.default_tag_expiration not in self.tag_expiration_options:
            raise ValueError(f"tagExpirationOptions: must include defaultTagExpiration "
                             f"(got {self.tag_expiration_options}, default {self.default_tag_expiration!r})")
        if self.autoscaling.enabled and self.autoscaling.max_replicas < self.replicas:
            raise ValueError(f"autoscaling: maxReplicas must be ≥ replicas (got {self.autoscaling.max_replicas} "
                             f"< {self.replicas})")
        return self
