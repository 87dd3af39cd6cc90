"""`quaykit:pool` — the KVM-capable build nodes where Quay's builds run as VMs."""
from typing import Literal, Optional

from pydantic import Field, SecretStr, field_validator, model_validator

from .base import Model

# Metros that took new devices when Equinix Metal last documented them; "any" is refused by the API.
EQUINIX_METROS = ("am", "at", "ch", "da", "dc", "fr", "hk", "la", "ld", "md", "ml", "mt", "ny",
                  "pa", "se", "sg", "sk", "sl", "sp", "st", "sv", "sy", "tr", "ty")
# Plans with VT-x/AMD-V exposed (all Metal plans are bare metal); slugs as the API spells them.
EQUINIX_PLANS = ("c3.small.x86", "m3.small.x86", "c3.medium.x86", "m3.large.x86", "n3.xlarge.x86",
                 "s3.xlarge.x86", "a3.large.x86")
EQUINIX_OPERATING_SYSTEMS = ("ubuntu_22_04", "ubuntu_24_04", "debian_12", "rocky_9", "alma_9")


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

    @model_validator(mode="after")
    def _project_known(self):
        if not self.project_id and not self.project_name:
            raise ValueError("projectId or projectName: set one (an existing project id, or a name to create)")
        return self


class PoolSettings(Model):
    backend: Literal["equinix-metal"] = "equinix-metal"
    """Where build nodes run."""

    count: int = Field(default=1, ge=1, le=1000)
    """Number of build nodes; the first is the k3s server."""

    k3s_version: str = Field(default="v1.33.5+k3s1", alias="k3sVersion", pattern=r"^v\d+\.\d+\.\d+\+k3s\d+$")
    """Pinned k3s release installed on every node (never `latest`)."""

    node_label: str = Field(default="quaykit.dev/builder=true", pattern=r"^[a-z0-9.-]+/[A-Za-z0-9_.-]+=[A-Za-z0-9_.-]+$")
    """Label put on every build node (`kubernetes.io/` and `k8s.io/` prefixes are reserved)."""

    k3s_token: Optional[SecretStr] = Field(default=None, alias="k3sToken")
    """Shared k3s join token (secure); generated and kept in state when unset."""

    equinix_metal: Optional[EquinixMetalSettings] = None
    """Settings for the `equinix-metal` backend."""

    @field_validator("node_label")
    @classmethod
    def _not_reserved_prefix(cls, value: str) -> str:
        if value.split("/", 1)[0].endswith(("kubernetes.io", "k8s.io")):
            raise ValueError(f"the kubernetes.io/ and k8s.io/ prefixes are reserved; use e.g. quaykit.dev/builder=true (got {value!r})")
        return value

    @model_validator(mode="after")
    def _backend_block_present(self):
        if self.backend == "equinix-metal" and self.equinix_metal is None:
            raise ValueError("equinixMetal: required when backend is equinix-metal")
        return self
