"""The dated price list in `quaykit/data/prices-YYYY-MM.yaml`: machine specs and on-demand list prices."""
import difflib
import functools
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping, Optional

import yaml

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Machine:
    """One Equinix Metal plan or EC2 instance type, priced."""

    backend: str
    name: str
    vcpus: int
    memory_gib: float
    hourly: float
    """USD per hour, on demand."""
    boot_minutes: float
    """Create-to-ready time a short-lived machine is billed for before its build starts."""
    monthly: Optional[float] = None
    """USD per month for monthly billing, when known (Equinix contracts); never for AWS."""


@dataclass(frozen=True)
class PriceList:
    source: str
    """The data file as a user would name it, e.g. quaykit/data/prices-2026-12.yaml."""
    as_of: str
    currency: str
    hours_per_month: float
    machines: Mapping[str, Machine]
    """Keyed by plan slug / instance type; the two backends' names never collide."""

    def lookup(self, name: str) -> Machine:
        """The machine called `name`, or a KeyError phrased for the user."""
        if name in self.machines:
            return self.machines[name]
        close = difflib.get_close_matches(name, list(self.machines), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(self.machines)}"
        raise KeyError(f"no price or spec for {name!r} in {self.source}; {hint}")

    def with_machines(self, added: Mapping[str, Machine]) -> "PriceList":
        """A copy that also lists `added` (machines specified in stack config)."""
        return replace(self, machines={**self.machines, **added})

    def with_overrides(self, overrides: Mapping[str, tuple[Optional[float], Optional[float]]]) -> "PriceList":
        """A copy where each `name: (hourly, monthly)` override (None = keep) replaces the listed price."""
        machines = dict(self.machines)
        for name, (hourly, monthly) in overrides.items():
            machine = self.lookup(name)
            machines[name] = replace(machine,
                                     hourly=machine.hourly if hourly is None else hourly,
                                     monthly=machine.monthly if monthly is None else monthly)
        return replace(self, machines=machines)


def newest_price_file(folder: Path = DATA_DIR) -> Path:
    """Dated names sort chronologically, so the last one is the newest."""
    files = sorted(folder.glob("prices-*.yaml"))
    if not files:
        raise FileNotFoundError(f"no prices-YYYY-MM.yaml in {folder}")
    return files[-1]


@functools.lru_cache(maxsize=None)
def load_price_list(path: Optional[Path] = None) -> PriceList:
    path = path or newest_price_file()
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    machines = {
        name: Machine(backend=backend, name=name, vcpus=int(spec["vcpus"]), memory_gib=float(spec["memoryGib"]),
                      hourly=float(spec["hourly"]), boot_minutes=float(spec["bootMinutes"]),
                      monthly=float(spec["monthly"]) if "monthly" in spec else None)
        for backend, entries in document["machines"].items()
        for name, spec in entries.items()
    }
    return PriceList(source=f"quaykit/data/{path.name}", as_of=str(document["asOf"]), currency=document["currency"],
                     hours_per_month=float(document["hoursPerMonth"]), machines=machines)
