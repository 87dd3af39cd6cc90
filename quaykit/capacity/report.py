"""A stack's capacity plan: its settings priced against the data file, as a table or a few summary lines."""
from dataclasses import dataclass
from typing import Optional, Union

from ..settings import SettingsError, StackSettings
from . import model
from .prices import PriceList, load_price_list


@dataclass(frozen=True)
class ConfiguredPool:
    backend: str
    name: str
    key: str
    """The config key naming the machine, for error messages."""
    count: int
    billing: str
    """hourly | monthly | per-second."""


@dataclass(frozen=True)
class CapacityReport:
    price_list: PriceList
    demand: model.Demand
    pool: ConfiguredPool
    configured: model.MachinePlan
    rows: list[model.MachinePlan]
    max_workers: Optional[int] = None
    """Quay's `ALLOWED_WORKER_COUNT` (`registry.builds.maxWorkers`); None when builds are off."""

    @property
    def enough(self) -> bool:
        return self.pool.count >= self.configured.nodes

    @property
    def configured_cost(self) -> float:
        """Monthly cost of the pool as configured (its count, its billing)."""
        machine = self.configured.machine
        if self.pool.billing == "monthly" and machine.monthly is not None:
            return self.pool.count * machine.monthly
        return model.always_on_hourly(self.pool.count, machine, self.price_list.hours_per_month)


@dataclass(frozen=True)
class UnpricedPool:
    """The configured machine is missing from the price list. The pool settings vouch for the machine itself, so
    `quaykit preview` only warns; `quaykit pool plan`, whose whole output is the pricing, refuses."""

    warning: str
    error: SettingsError


def configured_pool(settings: StackSettings) -> ConfiguredPool:
    pool = settings.pool
    if pool.backend == "aws":
        return ConfiguredPool("aws", pool.aws.instance_type, "quaykit:pool.aws.instanceType", pool.count, "per-second")
    metal = pool.equinix_metal
    return ConfiguredPool("equinix-metal", metal.plan, "quaykit:pool.equinixMetal.plan", pool.count, metal.billing_cycle)


def capacity_report(settings: StackSettings, source: str) -> Union[CapacityReport, UnpricedPool, None]:
    """The plan for a stack with a `quaykit:capacity` block (None without one); a machine that cannot hold one
    build VM → SettingsError."""
    capacity = settings.capacity
    if capacity is None:
        return None
    prices = load_price_list().with_machines(capacity.added_machines()).with_overrides(capacity.price_overrides())
    pool = configured_pool(settings)
    try:
        machine = prices.lookup(pool.name)
    except KeyError as exc:
        add = "add it under quaykit:capacity.prices"
        return UnpricedPool(f"capacity: no price/spec for {pool.name!r} in {prices.source}; {add}",
                            SettingsError(source, pool.key, f"{exc.args[0]}; {add}"))
    if machine.backend != pool.backend:
        raise SettingsError(source, pool.key, f"{pool.name!r} is an {machine.backend} machine, not {pool.backend}")
    demand = model.Demand(capacity.builds_per_hour, capacity.average_build_minutes, capacity.vm_vcpus,
                          capacity.vm_memory_gib, capacity.headroom_percent, capacity.busy_hours_per_day)
    configured = model.plan_machine(machine, demand, prices.hours_per_month)
    if configured.nodes is None:
        raise SettingsError(source, pool.key, (
            f"{pool.name} ({machine.vcpus} vCPU, {machine.memory_gib:g} GiB) cannot hold one {demand.vm_vcpus} vCPU / "
            f"{demand.vm_memory_gib:g} GiB build VM next to the host's {model.HOST_RESERVED_VCPUS} vCPU / "
            f"{model.HOST_RESERVED_MEMORY_GIB} GiB; pick a larger one (got {pool.name!r})"))
    order = sorted(prices.machines.values(), key=lambda m: (m.backend != pool.backend, m.backend, m.hourly))
    rows = [model.plan_machine(m, demand, prices.hours_per_month) for m in order]
    builds = settings.registry.builds
    return CapacityReport(prices, demand, pool, configured, rows, builds.max_workers if builds.enabled else None)


def _money(value: Optional[float]) -> str:
    return "—" if value is None else f"${value:,.0f}"


def demand_line(report: CapacityReport) -> str:
    d = report.demand
    return (f"{d.builds_per_hour:g} builds/h at peak × {d.average_build_minutes:g} min = {d.concurrent:.1f} in flight; "
            f"+{d.headroom_percent}% headroom → {d.slots} build VMs of {d.vm_vcpus} vCPU / {d.vm_memory_gib:g} GiB")


def verdict(report: CapacityReport) -> str:
    need, pool = report.configured.nodes, report.pool
    if report.enough:
        return f"pool.count {pool.count} is enough (needs {need})"
    return f"pool.count {pool.count} is NOT enough: needs {need}, short by {need - pool.count}"


def worker_warnings(report: CapacityReport) -> list[str]:
    """Quay starts at most `maxWorkers` builds at once, whatever the pool holds: both must match the demand."""
    workers, need = report.max_workers, report.demand.slots
    holds = report.pool.count * report.configured.vms_per_node
    if workers is None:
        return []
    if workers < need:
        return [f"capacity: warning: registry.builds.maxWorkers {workers} is below the {need} build VMs needed; "
                f"Quay runs at most {workers} builds at once (set it to {need})"]
    if workers > holds:
        return [f"capacity: warning: registry.builds.maxWorkers {workers} is above the {holds} build VMs the pool holds "
                f"({report.pool.count} × {report.configured.vms_per_node}); builds past {holds} wait for a free node"]
    return []


def summary_lines(report: Union[CapacityReport, UnpricedPool]) -> list[str]:
    """The capacity lines `quaykit preview` prints after its resource summary."""
    if isinstance(report, UnpricedPool):
        return [report.warning]
    plan, pool = report.configured, report.pool
    return [
        f"capacity: {demand_line(report)}",
        f"capacity: {pool.name} holds {plan.vms_per_node} VMs/node → {verdict(report)}",
        f"cost/month: configured pool {_money(report.configured_cost)} ({pool.count} × {pool.name}, "
        f"{pool.billing} billing)",
        f"cost/month: short-lived {pool.name} machines instead: {_money(plan.elastic_per_second)} billed per second, "
        f"{_money(plan.elastic_hourly_rounded)} by the started hour (`quaykit pool plan` compares all machines)",
        *worker_warnings(report),
    ]


# Equinix Metal stopped taking orders on 2026-06-30: its rows stay for comparison and remaining capacity.
SHUT_DOWN = {"equinix-metal": "shut down 2026-06-30"}

HEADER = ("  {:<14} {:<16} {:>5} {:>5} {:>8} {:>6} {:>11} {:>11} {:>12} {:>14}")


def table_lines(report: CapacityReport) -> list[str]:
    """One row per plan/instance type in the price list; `*` marks the configured one."""
    lines = [HEADER.format("", "", "", "", "", "", "always-on", "always-on", "short-lived", "short-lived"),
             HEADER.format("backend", "plan/type", "vCPU", "GiB", "VMs/node", "nodes", "hourly", "monthly",
                           "per-second", "hourly-rounded")]
    for row in report.rows:
        m = row.machine
        mark = "*" if m.name == report.pool.name else " "
        nodes = "—" if row.nodes is None else str(row.nodes)
        lines.append(mark + HEADER.format(
            m.backend, m.name, m.vcpus, f"{m.memory_gib:g}", row.vms_per_node, nodes, _money(row.always_on_hourly),
            _money(row.always_on_monthly), _money(row.elastic_per_second), _money(row.elastic_hourly_rounded))[1:]
            + (f"  {SHUT_DOWN[m.backend]}" if m.backend in SHUT_DOWN else ""))
    return lines


def plan_lines(report: CapacityReport, stack: str, source: str) -> list[str]:
    """The whole `quaykit pool plan` output."""
    p, pool, plan = report.price_list, report.pool, report.configured
    # Recommend only what can still be bought; a table of nothing else still gets an answer.
    sized = [r for r in report.rows if r.nodes is not None and r.machine.backend not in SHUT_DOWN] or \
        [r for r in report.rows if r.nodes is not None]
    cheapest_pool = min(sized, key=lambda r: min(c for c in (r.always_on_hourly, r.always_on_monthly) if c is not None))
    cheapest_elastic = min(sized, key=lambda r: r.elastic_per_second)
    return [
        f"Build pool capacity plan for stack '{stack}' ({source})",
        f"prices: {p.source} — {p.currency} list prices as of {p.as_of}, check before buying; "
        f"{p.hours_per_month:g} h/month",
        f"demand: {demand_line(report)}",
        f"configured: {pool.backend} {pool.name} × {pool.count}, {pool.billing} billing, {plan.vms_per_node} VMs/node "
        f"→ {verdict(report)}; {_money(report.configured_cost)}/month",
        *worker_warnings(report),
        "",
        *table_lines(report),
        "",
        "always-on: the needed nodes run all month. short-lived: machines each created for a full load "
        f"of VMs/node builds and deleted after boot + build; {report.demand.busy_hours_per_day:g} busy h/day.",
        f"cheapest always-on: {cheapest_pool.nodes} × {cheapest_pool.machine.name}; "
        f"cheapest short-lived (per-second billing): {cheapest_elastic.machine.name} "
        f"{_money(cheapest_elastic.elastic_per_second)} vs {_money(cheapest_elastic.elastic_hourly_rounded)} "
        "if every machine were billed by the started hour.",
    ]
