"""Capacity arithmetic on hand-checkable cases, the price list, and config overrides of it."""
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from quaykit.capacity import model
from quaykit.capacity.prices import Machine, load_price_list, newest_price_file
from quaykit.capacity.report import capacity_report, summary_lines
from quaykit.settings import SettingsError, read_stack_file, settings_from_config
from quaykit.settings.pool import EQUINIX_PLANS

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "stacks/Pulumi.prod.yaml"


def machine(vcpus=8, memory_gib=16, hourly=1.0, boot_minutes=2, monthly=None, name="test.box"):
    return Machine("aws", name, vcpus, memory_gib, hourly, boot_minutes, monthly)


def test_vms_per_node_leaves_the_host_one_vcpu_and_two_gib():
    # 8 vCPU: (8 - 1) // 2 = 3 by CPU; 16 GiB: (16 - 2) / 4 = 3.5 -> 3 by memory.
    assert model.vms_per_node(machine(8, 16), 2, 4) == 3
    # Memory-bound: 16 vCPU would take 7, but (12 - 2) / 4 = 2.5 -> 2.
    assert model.vms_per_node(machine(16, 12), 2, 4) == 2
    # A 2 vCPU / 4 GiB machine cannot hold a 2 vCPU / 4 GiB VM next to its host.
    assert model.vms_per_node(machine(2, 4), 2, 4) == 0
    assert model.nodes_needed(5, 0) is None


def test_littles_law_headroom_and_node_count():
    # 30 builds an hour, 10 minutes each: 30 * 10 / 60 = 5 builds in flight.
    assert model.concurrent_builds(30, 10) == 5
    # +25% -> 6.25, rounded up to whole VMs: 7. Without headroom exactly 5, not 6.
    assert model.build_slots(5, 25) == 7
    assert model.build_slots(5, 0) == 5
    # 25 in flight +12% is 28.000000000000004 in floating point: still 28 VMs, not 29.
    assert model.build_slots(25, 12) == 28
    # 7 VMs on nodes of 3: 3 nodes. No builds at all still needs the k3s server.
    assert model.nodes_needed(7, 3) == 3
    assert model.nodes_needed(0, 3) == 1


def test_always_on_costs_hourly_and_monthly():
    box = machine(hourly=1.0, monthly=500.0)
    assert model.always_on_hourly(3, box, 730) == 3 * 1.0 * 730
    assert model.always_on_monthly(3, box) == 1500
    assert model.always_on_monthly(3, machine(monthly=None)) is None


def test_short_lived_machines_per_second_versus_hourly_rounded():
    # 6 builds/h for 10 busy hours a day over a 730-hour month: 6 * 10 * 730 / 24 = 1825 builds.
    builds = model.builds_per_month(6, 10, 730)
    assert builds == 1825
    box = machine(hourly=1.0, boot_minutes=2)
    # One build per machine living 2 + 10 = 12 minutes: 1825 * 12 / 60 = 365 machine-hours at $1.
    assert model.elastic_per_second(builds, 1, box, 10) == pytest.approx(365)
    # Billed by the started hour, each 12-minute machine costs a full hour: 1825 * $1.
    assert model.elastic_hourly_rounded(builds, 1, box, 10) == 1825
    # Three builds share a machine: a third of the machines.
    assert model.elastic_per_second(builds, 3, box, 10) == pytest.approx(365 / 3)
    # A 30-second life is billed as EC2's 60-second minimum: 60 builds * 60 s at $3.60/h = $3.60.
    instant = machine(hourly=3.6, boot_minutes=0)
    assert model.elastic_per_second(60, 1, instant, 0.5) == pytest.approx(3.6)


def test_a_short_lived_machine_carries_no_more_builds_than_arrive_together():
    # 1 build slot needed: a machine with room for 3 VMs still carries one build at a time.
    demand = model.Demand(builds_per_hour=6, average_build_minutes=10, headroom_percent=0, busy_hours_per_day=10)
    assert demand.slots == 1
    plan = model.plan_machine(machine(8, 16, hourly=1.0, boot_minutes=2), demand, 730)
    assert (plan.vms_per_node, plan.nodes) == (3, 1)
    assert plan.elastic_per_second == pytest.approx(365)


def test_the_price_list_is_dated_and_covers_every_plan_the_pool_accepts():
    path = newest_price_file()
    document = yaml.safe_load(path.read_text())
    assert path.stem == "prices-" + document["asOf"][:7], "the file name must carry the date of its prices"
    assert "list prices" in path.read_text().lower()
    prices = load_price_list()
    missing = [plan for plan in EQUINIX_PLANS if plan not in prices.machines]
    assert not missing, f"plans accepted by quaykit:pool.equinixMetal.plan without price data: {missing}"
    assert {m.backend for m in prices.machines.values()} == {"equinix-metal", "aws"}


def _prod_config(**capacity) -> dict:
    config = read_stack_file(ROOT / "stacks" / "Pulumi.prod.yaml", SOURCE)
    config["quaykit:capacity"] = {**config["quaykit:capacity"], **capacity}
    return config


def test_a_price_override_from_config_wins_over_the_data_file():
    listed = load_price_list().machines["c3.small.x86"].hourly
    settings = settings_from_config(_prod_config(prices={"c3.small.x86": {"hourly": 2.0}}), SOURCE)
    row = next(r for r in capacity_report(settings, SOURCE).rows if r.machine.name == "c3.small.x86")
    assert listed != 2.0
    assert row.machine.hourly == 2.0
    assert row.always_on_hourly == pytest.approx(row.nodes * 2.0 * 730)


def test_a_price_override_for_an_unknown_machine_is_refused_with_a_suggestion():
    with pytest.raises(SettingsError) as error:
        settings_from_config(_prod_config(prices={"m3.larg.x86": {"hourly": 2.0}}), SOURCE)
    assert str(error.value).startswith("stacks/Pulumi.prod.yaml: quaykit:capacity.prices: ")
    assert "'m3.larg.x86'" in str(error.value) and "did you mean 'm3.large.x86'?" in str(error.value)


def _with_pool(settings, **pool):
    # model_copy skips validation: it stands in for a machine the pool schema accepts but the data file lacks,
    # and for the AWS pool block another branch adds (settings.pool.aws.instance_type).
    return settings.model_copy(update={"pool": settings.pool.model_copy(update=pool)})


def test_a_plan_missing_from_the_price_list_names_the_pool_key():
    settings = settings_from_config(_prod_config(), SOURCE)
    metal = settings.pool.equinix_metal.model_copy(update={"plan": "x9.huge.x86"})
    unpriced = capacity_report(_with_pool(settings, backend="equinix-metal", equinix_metal=metal), SOURCE)
    assert str(unpriced.error).startswith("stacks/Pulumi.prod.yaml: quaykit:pool.equinixMetal.plan: no price or spec")
    assert summary_lines(unpriced) == ["capacity: no price/spec for 'x9.huge.x86' in quaykit/data/prices-2026-12.yaml; "
                                       "add it under quaykit:capacity.prices"]


def test_an_aws_pool_is_sized_billed_per_second_and_refused_when_too_small():
    settings = settings_from_config(_prod_config(), SOURCE)
    aws = _with_pool(settings, backend="aws", aws=SimpleNamespace(instance_type="c8i.4xlarge"))
    report = capacity_report(aws, SOURCE)
    # prod: 32 build VMs; c8i.4xlarge 16 vCPU / 32 GiB holds (16 - 1) // 2 = 7 -> ceil(32 / 7) = 5 nodes.
    assert (report.pool.billing, report.configured.vms_per_node, report.configured.nodes) == ("per-second", 7, 5)
    assert report.enough is False
    tiny = _with_pool(settings, backend="aws", aws=SimpleNamespace(instance_type="c8i.large"))
    with pytest.raises(SettingsError) as error:
        capacity_report(tiny, SOURCE)
    assert "quaykit:pool.aws.instanceType: c8i.large (2 vCPU, 4 GiB) cannot hold one 2 vCPU" in str(error.value)
    metal_name = _with_pool(settings, backend="aws", aws=SimpleNamespace(instance_type="m3.large.x86"))
    with pytest.raises(SettingsError, match="is an equinix-metal machine, not aws"):
        capacity_report(metal_name, SOURCE)
