"""`quaykit:capacity` — expected build load, used to size the build pool and price it (`quaykit pool plan`)."""
from typing import Optional

from pydantic import Field, field_validator

from ..capacity.prices import Machine, load_price_list
from .base import Model


class PriceOverride(Model):
    hourly: Optional[float] = Field(default=None, ge=0)
    """USD per hour; replaces the on-demand list price of the data file (e.g. a negotiated rate)."""

    monthly: Optional[float] = Field(default=None, ge=0)
    """USD per month for monthly billing (Equinix `billingCycle: monthly`); the data file records none."""

    vcpus: Optional[int] = Field(default=None, ge=1)
    """vCPUs of a machine the data file lacks (give `hourly`, `vcpus` and `memoryGib` to add one)."""

    memory_gib: Optional[float] = Field(default=None, gt=0)
    """Memory in GiB of a machine the data file lacks."""

    boot_minutes: Optional[float] = Field(default=None, ge=0)
    """Create-to-ready minutes of a machine the data file lacks (default: 10 for bare metal, else 2)."""


class CapacitySettings(Model):
    builds_per_hour: float = Field(ge=0, le=100_000)
    """Builds started per hour at the busiest time of day (peak, not average)."""

    average_build_minutes: float = Field(ge=1, le=24 * 60)
    """Average wall-clock minutes of one build inside its VM (FCOS boot, pulls, build, push)."""

    vm_vcpus: int = Field(default=2, ge=1, le=64)
    """vCPUs of each build VM (Quay's kubernetes executor default: 2)."""

    vm_memory_gib: int = Field(default=4, ge=1, le=512)
    """Memory of each build VM in GiB (Quay's default `VM_MEMORY_LIMIT`: 4G)."""

    headroom_percent: int = Field(default=25, ge=0, le=400)
    """Spare build slots on top of the average concurrency, for bursts within the peak hour."""

    busy_hours_per_day: float = Field(default=24, ge=1, le=24)
    """Hours a day builds arrive at the peak rate; sets the monthly build count that elastic billing pays for."""

    prices: dict[str, PriceOverride] = {}
    """Price overrides per plan slug / instance type, winning over `quaykit/data/prices-*.yaml`; or a machine it lacks."""

    @field_validator("prices")
    @classmethod
    def _known_machines(cls, prices: dict[str, PriceOverride]) -> dict[str, PriceOverride]:
        # A typo here would silently price the wrong machine; only machines with specs can be sized.
        price_list = load_price_list()
        for name, price in prices.items():
            try:
                price_list.lookup(name)
            except KeyError as exc:
                if None in (price.hourly, price.vcpus, price.memory_gib):
                    raise ValueError(f"{exc.args[0]}; to add it give hourly, vcpus and memoryGib") from None
        return prices

    def price_overrides(self) -> dict[str, tuple[Optional[float], Optional[float]]]:
        """Price changes to machines of the data file."""
        known = load_price_list().machines
        return {name: (price.hourly, price.monthly) for name, price in self.prices.items() if name in known}

    def added_machines(self) -> dict[str, Machine]:
        """Machines the data file lacks, specified here (all AWS: every Equinix plan quaykit accepts is listed)."""
        known = load_price_list().machines
        return {name: Machine(backend="equinix-metal" if name.endswith(".x86") else "aws", name=name,
                              vcpus=p.vcpus, memory_gib=p.memory_gib, hourly=p.hourly, monthly=p.monthly,
                              boot_minutes=p.boot_minutes if p.boot_minutes is not None
                              else 10 if ".metal" in name else 2)
                for name, p in self.prices.items() if name not in known}
