"""`quaykit:capacity` — expected build load, used to size the build pool and price it (`quaykit pool plan`)."""
from typing import Optional

from pydantic import Field, field_validator

from ..capacity.prices import load_price_list
from .base import Model


class PriceOverride(Model):
    hourly: Optional[float] = Field(default=None, ge=0)
    """USD per hour; replaces the on-demand list price of the data file (e.g. a negotiated rate)."""

    monthly: Optional[float] = Field(default=None, ge=0)
    """USD per month for monthly billing (Equinix `billingCycle: monthly`); the data file records none."""


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
    """Price overrides per plan slug / instance type; they win over `quaykit/data/prices-*.yaml`."""

    @field_validator("prices")
    @classmethod
    def _known_machines(cls, prices: dict[str, PriceOverride]) -> dict[str, PriceOverride]:
        # A typo here would silently price the wrong machine; only machines with specs can be sized.
        price_list = load_price_list()
        for name in prices:
            try:
                price_list.lookup(name)
            except KeyError as exc:
                raise ValueError(exc.args[0]) from None
        return prices

    def price_overrides(self) -> dict[str, tuple[Optional[float], Optional[float]]]:
        return {name: (price.hourly, price.monthly) for name, price in self.prices.items()}
