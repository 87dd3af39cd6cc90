"""`quaykit:pool` — the KVM-capable build nodes where Quay's builds run as VMs."""
import re
from typing import Literal, Optional

from pydantic import Field, SecretStr, field_validator, model_validator

from .base import Model
from .patterns import DNS_LABEL, SUBNET_ID, VPC_ID

# Metros that took new devices when Equinix Metal last documented them; "any" is refused by the API.
EQUINIX_METROS = ("am", "at", "ch", "da", "dc", "fr", "hk", "la", "ld", "md", "ml", "mt", "ny",
                  "pa", "se", "sg", "sk", "sl", "sp", "st", "sv", "sy", "tr", "ty")
# Plans with VT-x/AMD-V exposed (all Metal plans are bare metal); slugs as the API spells them.
EQUINIX_PLANS = ("c3.small.x86", "m3.small.x86", "c3.medium.x86", "m3.large.x86", "n3.xlarge.x86",
                 "s3.xlarge.x86", "a3.large.x86")
EQUINIX_OPERATING_SYSTEMS = ("ubuntu_22_04", "ubuntu_24_04", "debian_12", "rocky_9", "alma_9")

# Virtual EC2 families with nested virtualization (since 2026-02-12): Intel 8th generation, incl. flex/d.
AWS_NESTED_FAMILIES = re.compile(r"^(c8i|m8i|r8i)(-flex|d)?$")
# family.size: a family is class letters, a generation, option letters (c8i, m5zn, r8id), maybe -flex.
AWS_INSTANCE_TYPE = re.compile(r"^([a-z]+\d+[a-z]*(?:-flex)?)\.(\d*xlarge|large|medium|small|micro|nano|metal(?:-\d+xl)?)$")
# Sizes each nested family is sold in (flex stops at 16xlarge); the -metal-NNxl sizes are in AWS_METAL_TYPES.
AWS_NESTED_SIZES = {"": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge",
                         "32xlarge", "48xlarge", "64xlarge", "96xlarge"),
                    "-flex": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")}
AWS_GIB_PER_VCPU = {"c": 2, "m": 4, "r": 8}
# Bare-metal x86 types that exist (VT-x/AMD-V native); a `.metal` name is checked against this, not guessed.
AWS_METAL_TYPES = frozenset({
    "c5.metal", "c5d.metal", "c5n.metal", "m5.metal", "m5d.metal", "m5dn.metal", "m5n.metal", "m5zn.metal",
    "r5.metal", "r5b.metal", "r5d.metal", "r5dn.metal", "r5n.metal", "i3.metal", "i3en.metal", "z1d.metal",
    "c6i.metal", "c6id.metal", "c6in.metal", "m6i.metal", "m6id.metal", "m6idn.metal", "m6in.metal",
    "r6i.metal", "r6id.metal", "r6idn.metal", "r6in.metal", "i4i.metal", "x2idn.metal", "x2iedn.metal",
    "c6a.metal", "m6a.metal", "r6a.metal",
    "c7i.metal-24xl", "c7i.metal-48xl", "m7i.metal-24xl", "m7i.metal-48xl", "r7i.metal-24xl", "r7i.metal-48xl",
    "c7a.metal-48xl", "m7a.metal-48xl", "r7a.metal-48xl",
    "c8i.metal-48xl", "c8i.metal-96xl", "m8i.metal-48xl", "m8i.metal-96xl", "r8i.metal-48xl", "r8i.metal-96xl",
})
# Quay's default build VM (2 vCPU, VM_MEMORY_LIMIT 4G) next to the host's reserve (quaykit.capacity.model).
ONE_BUILD_VM_GIB = 4 + 2
# A container image reference as the distribution spec writes it: [registry[:port]/]path[:tag][@sha256:digest].
_IMAGE_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
IMAGE_REFERENCE = re.compile(
    r"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]{1,5})?/)?"
    rf"{_IMAGE_COMPONENT}(?:/{_IMAGE_COMPONENT})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}})?(?:@sha256:[a-f0-9]{{64}})?$")
UBUNTU_AMI = "resolve:ssm:/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id"


def _size_vcpus(size: str) -> int:
    """vCPUs of a virtual EC2 size: large 2, xlarge 4, Nxlarge 4N."""
    return 2 if size == "large" else 4 * int(size.removesuffix("xlarge") or 1)


def aws_kvm_problem(instance_type: str, spot: bool) -> Optional[str]:
    """Why `instance_type` cannot give build VMs /dev/kvm, or None when it can."""
    got = f"(got {instance_type!r})"
    if instance_type.startswith("mac"):
        return f"Mac instances (Apple silicon or dedicated Mac hosts) cannot run the build pool; use c8i/m8i/r8i {got}"
    match = AWS_INSTANCE_TYPE.match(instance_type)
    if not match:
        return f"not an EC2 instance type such as m8i.2xlarge {got}"
    family, size = match.groups()
    base = family.removesuffix("-flex")
    if base == "a1" or re.match(r"^[a-z]+\d+[a-z]*g[a-z]*$", base):
        return f"Graviton (Arm) instances cannot run the x86 builder VM; use c8i/m8i/r8i or a .metal type {got}"
    if size.startswith("metal"):
        if instance_type not in AWS_METAL_TYPES:
            return f"not a bare-metal EC2 type quaykit knows (e.g. m8i.metal-48xl, c6i.metal) {got}"
        return None  # bare metal exposes VT-x/AMD-V directly
    if re.match(r"^[a-z]+\d+[a-z]*a[a-z]*$", base):
        return f"AMD instances have no nested virtualization on EC2; use c8i/m8i/r8i or a .metal type {got}"
    nested = AWS_NESTED_FAMILIES.match(family)
    if not nested:
        return f"no KVM: only c8i/m8i/r8i (incl. -flex, d) offer nested virtualization, or use a .metal type {got}"
    sizes = AWS_NESTED_SIZES["-flex" if nested.group(2) == "-flex" else ""]
    if size not in sizes:
        return f"{family} comes in {', '.join(sizes)} {got}"
    memory_gib = _size_vcpus(size) * AWS_GIB_PER_VCPU[family[0]]
    if memory_gib < ONE_BUILD_VM_GIB:
        return (f"too small: {instance_type} has {memory_gib} GiB, one 4 GiB build VM needs that plus the host's 2 GiB; "
                f"use {family}.xlarge or larger {got}")
    if spot:
        return f"Spot instances do not support nested virtualization; set spot: false or use a .metal type {got}"
    return None


def nested_virtualization(instance_type: str) -> bool:
    """Whether the launch template must ask for nested virtualization (not for .metal, where VT-x is native)."""
    return not instance_type.split(".", 1)[1].startswith("metal")


class EquinixSpotMarket(Model):
    devices_min: int = Field(ge=0)
    """Fewest spot agents the request accepts."""

    devices_max: int = Field(ge=1)
    """Most spot agents the request asks for."""

    max_bid_price: float = Field(gt=0)
    """Highest hourly price per device, USD."""

    @model_validator(mode="after")
    def _ordered(self):
        if self.devices_min > self.devices_max:
            raise ValueError(f"devicesMin: must be ≤ devicesMax ({self.devices_max}) (got {self.devices_min})")
        return self


class EquinixMetalSettings(Model):
    project_id: Optional[str] = Field(default=None, pattern=r"^[0-9a-f-]{36}$")
    """Existing Metal project UUID; when unset a project named `projectName` is created."""

    project_name: Optional[str] = None
    """Name of the Metal project to create when `projectId` is unset."""

    plan: Literal[EQUINIX_PLANS] = "c3.small.x86"
    """Device plan slug."""

    metro: Literal[EQUINIX_METROS] = "da"
    """Metro code (`any` is rejected by the API)."""

    operating_system: Literal[EQUINIX_OPERATING_SYSTEMS] = "ubuntu_24_04"
    """Operating system slug."""

    billing_cycle: Literal["hourly", "monthly"] = "hourly"
    """Billing cycle of each device."""

    ssh_public_key: str = Field(pattern=r"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+( .*)?$")
    """Public key registered as a project SSH key for break-glass access."""

    tags: list[str] = Field(default_factory=list)
    """Extra device tags."""

    hardware_reservation_ids: list[str] = Field(default_factory=list)
    """Reserved hardware ids, used by node index (node 0 takes the first); nodes beyond the list are on demand."""

    spot_market: Optional[EquinixSpotMarket] = None
    """Run the agents as a spot-market request instead of `count - 1` on-demand devices (the server stays on demand)."""

    @model_validator(mode="after")
    def _project_known(self):
        if not self.project_id and not self.project_name:
            raise ValueError("projectId or projectName: set one (an existing project id, or a name to create)")
        return self


class AwsPoolSettings(Model):
    instance_type: str = "m8i.2xlarge"
    """EC2 type: c8i/m8i/r8i (nested virtualization) or a `.metal` type."""

    vpc_id: str = Field(pattern=VPC_ID)
    """VPC of the build nodes."""

    subnet_ids: list[str] = Field(min_length=1)
    """Private subnets the agents spread over; the server's fixed address lives in the first."""

    api_cidrs: list[str] = Field(min_length=1)
    """CIDRs allowed to reach the Kubernetes API (6443): the registry cluster, and where `pulumi up` runs."""

    ami: str = UBUNTU_AMI
    """AMI id, or `resolve:ssm:<parameter>` (default: Canonical's current Ubuntu 24.04 amd64)."""

    spot: bool = False
    """Spot capacity (refused with nested virtualization)."""

    volume_size_gb: int = Field(default=200, ge=30, alias="volumeSizeGb")
    """Root volume: also the scratch disk for build VM images."""

    @field_validator("subnet_ids")
    @classmethod
    def _subnets(cls, value: list[str]) -> list[str]:
        bad = [s for s in value if not re.match(SUBNET_ID, s)]
        if bad:
            raise ValueError(f"not a subnet id (got {bad[0]!r})")
        return value

    @model_validator(mode="after")
    def _gives_kvm(self):
        problem = aws_kvm_problem(self.instance_type, self.spot)
        if problem:
            raise ValueError(f"instanceType: {problem}")
        return self


class RolloutSettings(Model):
    batch_size: int = Field(default=1, ge=1)
    """Agents that may take a changed bootstrap template in one `pulumi up` (Equinix Metal)."""

    wave: int = Field(default=0, ge=0)
    """Which batch of agents takes a changed template now; advance it by one per `pulumi up` to roll all."""

    min_healthy_percentage: int = Field(default=66, ge=0, le=100)
    """AWS instance refresh: share of agents kept in service while replacing."""


class PoolSettings(Model):
    backend: Literal["equinix-metal", "aws"] = "equinix-metal"
    """Where build nodes run."""

    count: int = Field(default=1, ge=1, le=1000)
    """Number of build nodes; the first is the k3s server."""

    k3s_version: str = Field(default="v1.33.5+k3s1", alias="k3sVersion", pattern=r"^v\d+\.\d+\.\d+\+k3s\d+$")
    """Pinned k3s release installed on every node (never `latest`)."""

    node_label: str = Field(default="quaykit.dev/builder=true", pattern=r"^[a-z0-9.-]+/[A-Za-z0-9_.-]+=[A-Za-z0-9_.-]+$")
    """Label put on every build node (`kubernetes.io/` and `k8s.io/` prefixes are reserved)."""

    k3s_token: Optional[SecretStr] = Field(default=None, alias="k3sToken")
    """Shared k3s join token (secure); generated and kept in state when unset."""

    builder_namespace: str = Field(default="quay-builder", pattern=DNS_LABEL)
    """Namespace where Quay creates build Jobs."""

    builder_image: str = "quay.io/quay/quay-builder-qemu-fedoracoreos:stable"
    """Builder VM image, pre-pulled on every node (Quay's `BUILDER_VM_CONTAINER_IMAGE`)."""

    rollout: RolloutSettings = Field(default_factory=RolloutSettings)
    """How a changed bootstrap template reaches the nodes."""

    equinix_metal: Optional[EquinixMetalSettings] = None
    """Settings for the `equinix-metal` backend."""

    aws: Optional[AwsPoolSettings] = None
    """Settings for the `aws` backend."""

    @field_validator("node_label")
    @classmethod
    def _not_reserved_prefix(cls, value: str) -> str:
        if value.split("/", 1)[0].endswith(("kubernetes.io", "k8s.io")):
            raise ValueError(f"the kubernetes.io/ and k8s.io/ prefixes are reserved; use e.g. quaykit.dev/builder=true (got {value!r})")
        return value

    @field_validator("builder_image")
    @classmethod
    def _image_reference(cls, value: str) -> str:
        # It becomes an argument in the nodes' root boot script: only a plain reference may get there.
        if not IMAGE_REFERENCE.fullmatch(value):
            raise ValueError("not a container image reference such as quay.io/quay/quay-builder-qemu-fedoracoreos:stable "
                             f"(registry/repository[:tag][@sha256:digest]; no spaces, quotes or line breaks) (got {value!r})")
        return value

    @field_validator("k3s_token")
    @classmethod
    def _not_kubeadm_shaped(cls, value: Optional[SecretStr]) -> Optional[SecretStr]:
        # k3s#7499: a token shaped like a kubeadm bootstrap token (abcdef.0123456789abcdef) crashed k3s.
        if value is not None and re.match(r"^[a-z0-9]{6}\.[a-z0-9]{16}$", value.get_secret_value()):
            raise ValueError("must not be shaped like a kubeadm token (6 characters, a dot, 16 characters); "
                             "it crashes k3s (k3s#7499)")
        return value

    @model_validator(mode="after")
    def _backend_block_present(self):
        if self.backend == "equinix-metal" and self.equinix_metal is None:
            raise ValueError("equinixMetal: required when backend is equinix-metal")
        if self.backend == "aws" and self.aws is None:
            raise ValueError("aws: required when backend is aws")
        return self
