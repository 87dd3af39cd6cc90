"""Pure capacity and cost arithmetic. No settings, no I/O: every function is checkable by hand.

Choices, stated once:
- A build node keeps 1 vCPU and 2 GiB for the host (kernel, k3s, kubelet, the qemu processes' overhead); the rest
  is cut into whole build VMs. vCPUs are not overcommitted: a build is CPU-bound for most of its life.
- Concurrency follows Little's law: builds in flight = arrival rate × time in system.
- Nodes needed is what the demand requires, at least 1 (the k3s server); it is *not* raised to the configured
  `pool.count`. The configured count is compared with it separately, so a report can say "enough" or "short by N".
- "Elastic" means short-lived machines created for builds and deleted after them (Quay's original EC2 executor
  started one per build). Each is counted as carrying a full load of builds side by side — `vms_per_node`, but never
  more than the build slots the demand needs at once — and living boot + build minutes: the best case for elastic,
  no idle time. Per-second billing charges that lifetime (60 s
  minimum); hourly billing rounds it up to whole hours, which is what made short-lived build machines expensive.
"""
import math
from dataclasses import dataclass
from typing import Optional

from .prices import Machine

HOST_RESERVED_VCPUS = 1
HOST_RESERVED_MEMORY_GIB = 2
PER_SECOND_MINIMUM_SECONDS = 60


def _ceil(value: float) -> int:
    """Ceil that ignores float noise (0.1 * 3 * 10 must give 3, not 4)."""
    return math.ceil(round(value, 9))


def vms_per_node(machine: Machine, vm_vcpus: int, vm_memory_gib: float) -> int:
    """Whole build VMs that fit on one node after the host's reserve; 0 when not even one fits."""
    by_cpu = (machine.vcpus - HOST_RESERVED_VCPUS) // vm_vcpus
    by_memory = math.floor(round((machine.memory_gib - HOST_RESERVED_MEMORY_GIB) / vm_memory_gib, 9))
    return max(0, min(by_cpu, by_memory))


def concurrent_builds(builds_per_hour: float, average_build_minutes: float) -> float:
    """Little's law: average builds in flight during the peak hour."""
    return builds_per_hour * average_build_minutes / 60


def build_slots(concurrent: float, headroom_percent: int) -> int:
    """Build VMs to provide: the average concurrency plus headroom, rounded up to whole VMs."""
    return _ceil(concurrent * (1 + headroom_percent / 100))


def nodes_needed(slots: int, per_node: int) -> Optional[int]:
    """Nodes that provide `slots` VMs (at least one: the k3s server); None when the machine fits no VM."""
    if per_node == 0:
        return None
    return max(1, _ceil(slots / per_node))


def builds_per_month(builds_per_hour: float, busy_hours_per_day: float, hours_per_month: float) -> float:
    return builds_per_hour * busy_hours_per_day * hours_per_month / 24


def always_on_hourly(nodes: int, machine: Machine, hours_per_month: float) -> float:
    """A pool that runs all month, billed by the hour (or by the second: the same for a machine never stopped)."""
    return nodes * machine.hourly * hours_per_month


def always_on_monthly(nodes: int, machine: Machine) -> Optional[float]:
    """A pool on monthly billing; None when no monthly price is known for the machine."""
    return None if machine.monthly is None else nodes * machine.monthly


def machine_lifetime_minutes(machine: Machine, average_build_minutes: float) -> float:
    """How long a one-build machine lives, and is billed: its boot, then the build."""
    return machine.boot_minutes + average_build_minutes


def elastic_per_second(builds: float, builds_per_machine: int, machine: Machine, average_build_minutes: float) -> float:
    """Short-lived machines, `builds_per_machine` builds each, billed per second with a 60-second minimum (EC2 Linux)."""
    seconds = max(PER_SECOND_MINIMUM_SECONDS, machine_lifetime_minutes(machine, average_build_minutes) * 60)
    return builds / builds_per_machine * seconds / 3600 * machine.hourly


def elastic_hourly_rounded(builds: float, builds_per_machine: int, machine: Machine,
                           average_build_minutes: float) -> float:
    """The same machines with each lifetime rounded up to whole hours (Equinix on-demand; EC2 before 2017)."""
    hours = _ceil(machine_lifetime_minutes(machine, average_build_minutes) / 60)
    return builds / builds_per_machine * hours * machine.hourly


@dataclass(frozen=True)
class Demand:
    builds_per_hour: float
    average_build_minutes: float
    vm_vcpus: int = 2
    vm_memory_gib: float = 4
    headroom_percent: int = 25
    busy_hours_per_day: float = 24

    @property
    def concurrent(self) -> float:
        return concurrent_builds(self.builds_per_hour, self.average_build_minutes)

    @property
    def slots(self) -> int:
        return build_slots(self.concurrent, self.headroom_percent)


@dataclass(frozen=True)
class MachinePlan:
    """What one plan/instance type needs to carry the demand, and what each way of paying for it costs a month."""

    machine: Machine
    vms_per_node: int
    nodes: Optional[int]
    always_on_hourly: Optional[float]
    always_on_monthly: Optional[float]
    elastic_per_second: Optional[float]
    elastic_hourly_rounded: Optional[float]


def plan_machine(machine: Machine, demand: Demand, hours_per_month: float) -> MachinePlan:
    per_node = vms_per_node(machine, demand.vm_vcpus, demand.vm_memory_gib)
    nodes = nodes_needed(demand.slots, per_node)
    if nodes is None:
        return MachinePlan(machine, 0, None, None, None, None, None)
    builds = builds_per_month(demand.builds_per_hour, demand.busy_hours_per_day, hours_per_month)
    load = min(per_node, max(1, demand.slots))  # a machine cannot be filled with more builds than arrive together
    return MachinePlan(
        machine=machine, vms_per_node=per_node, nodes=nodes,
        always_on_hourly=always_on_hourly(nodes, machine, hours_per_month),
        always_on_monthly=always_on_monthly(nodes, machine),
        elastic_per_second=elastic_per_second(builds, load, machine, demand.average_build_minutes),
        elastic_hourly_rounded=elastic_hourly_rounded(builds, load, machine, demand.average_build_minutes),
    )
