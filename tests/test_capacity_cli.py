"""`quaykit pool plan` and the capacity lines of `quaykit preview`, run as a user runs them."""
import os
import re
import subprocess

import pytest

from cli import QUAYKIT, ROOT, project_copy, quaykit
from quaykit.capacity.prices import load_price_list


def _configured_row(stdout: str) -> list[str]:
    rows = [line for line in stdout.splitlines() if line.startswith("* ")]
    assert len(rows) == 1, stdout
    return rows[0][2:].split()


def _refused(result, fragment):
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert fragment in lines[0], lines[0]


def test_pool_plan_for_dev_sizes_one_small_node():
    # Derived by hand: 6 builds/h * 8 min / 60 = 0.8 in flight; +25% = 1.0 -> 1 build VM.
    # c3.small.x86 has 16 threads / 32 GiB: min((16 - 1) // 2, (32 - 2) // 4) = 7 VMs -> 1 node.
    c3_small = load_price_list().machines["c3.small.x86"]
    assert (c3_small.vcpus, c3_small.memory_gib) == (16, 32)
    result = quaykit("pool", "plan", "--stack", "dev")
    assert result.returncode == 0, result.stderr
    assert "1 build VMs of 2 vCPU / 4 GiB" in result.stdout
    assert "pool.count 1 is enough (needs 1)" in result.stdout
    backend, name, vcpus, gib, per_node, nodes, hourly, *_ = _configured_row(result.stdout)
    assert (backend, name, per_node, nodes) == ("equinix-metal", "c3.small.x86", "7", "1")
    # Always-on, billed by the hour: 1 node * $0.75 * 730 h = $547.50.
    assert hourly == f"${c3_small.hourly * 730:,.0f}"
    assert "list prices as of 2026-12-01" in result.stdout
    rows = [line for line in result.stdout.splitlines() if re.match(r"^[ *] (equinix-metal|aws) ", line)]
    assert len(rows) == len(load_price_list().machines), "one row per plan/instance type"


def test_pool_plan_for_prod_uses_the_monthly_contract_price_from_config():
    # 120 builds/h * 12 min / 60 = 24 in flight; +30% = 31.2 -> 32 VMs.
    # m3.large.x86 has 64 threads / 256 GiB: min(63 // 2, 254 // 4) = 31 VMs -> ceil(32 / 31) = 2 nodes.
    # prod builds on AWS; its equinixMetal block stays, one key away.
    result = quaykit("pool", "plan", "--stack", "prod", "--set", "pool.backend=equinix-metal")
    assert result.returncode == 0, result.stderr
    assert "32 build VMs" in result.stdout
    assert "pool.count 3 is enough (needs 2)" in result.stdout
    _, name, _, _, per_node, nodes, _, monthly, *_ = _configured_row(result.stdout)
    assert (name, per_node, nodes) == ("m3.large.x86", "31", "2")
    # Pulumi.prod.yaml sets prices.m3.large.x86.monthly: 1650 -> 2 needed nodes $3,300; the configured 3 $4,950.
    assert monthly == "$3,300"
    assert "monthly billing, 31 VMs/node" in result.stdout and "$4,950/month" in result.stdout


def test_set_builds_per_hour_changes_the_node_count():
    # 400 * 12 / 60 = 80 in flight; +30% = 104 VMs; ceil(104 / 31) = 4 nodes > pool.count 3.
    result = quaykit("pool", "plan", "--stack", "prod", "--set", "pool.backend=equinix-metal",
                     "--set", "capacity.buildsPerHour=400")
    assert result.returncode == 0, result.stderr
    assert _configured_row(result.stdout)[5] == "4"
    assert "pool.count 3 is NOT enough: needs 4, short by 1" in result.stdout


def test_preview_prints_the_capacity_summary_after_the_resource_summary():
    result = quaykit("preview", "--stack", "staging")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    summary = next(i for i, line in enumerate(lines) if re.match(r"^\d+ resources \(", line))
    capacity = [line for line in lines[summary + 1:] if line.startswith(("capacity:", "cost/month:"))]
    assert 2 <= len(capacity) <= 4, lines[summary:]
    # staging: 20 * 10 / 60 = 3.33 in flight; +25% = 4.17 -> 5 VMs; m3.small.x86 holds 7 -> 1 node; count 2.
    assert "5 build VMs" in capacity[0] and "pool.count 2 is enough (needs 1)" in capacity[1]
    # The configured pool, always on and billed hourly: 2 nodes * m3.small.x86's hourly price * 730 h.
    hourly = load_price_list().machines["m3.small.x86"].hourly
    assert f"configured pool ${2 * hourly * 730:,.0f} (2 × m3.small.x86, hourly billing)" in capacity[2]


def test_preview_without_a_capacity_block_prints_no_capacity_lines(tmp_path):
    project = project_copy(tmp_path)
    path = project / "stacks" / "Pulumi.dev.yaml"
    path.write_text(path.read_text().split("  quaykit:capacity:")[0])
    result = quaykit("preview", "--stack", "dev", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "capacity:" not in result.stdout and "cost/month:" not in result.stdout
    _refused(quaykit("pool", "plan", "--stack", "dev", cwd=project),
             "stacks/Pulumi.dev.yaml: quaykit:capacity: required for `quaykit pool plan`")


def test_an_unknown_machine_in_price_overrides_is_one_line_and_exit_2(tmp_path):
    project = project_copy(tmp_path)
    path = project / "stacks" / "Pulumi.prod.yaml"
    path.write_text(path.read_text().replace("      m3.large.x86:\n", "      m3.larg.x86:\n"))
    for command in (("pool", "plan"), ("preview",)):
        _refused(quaykit(*command, "--stack", "prod", cwd=project),
                 "stacks/Pulumi.prod.yaml: quaykit:capacity.prices: no price or spec for 'm3.larg.x86'")


def test_a_vm_too_big_for_the_plan_names_the_pool_key_and_nothing_is_written(tmp_path):
    result = quaykit("preview", "--stack", "dev", "--set", "capacity.vmVcpus=16", "--out", str(tmp_path / "out"))
    _refused(result, "quaykit:pool.equinixMetal.plan: c3.small.x86 (16 vCPU, 32 GiB) cannot hold one 16 vCPU")
    assert not (tmp_path / "out").exists()


def test_a_machine_missing_from_the_price_list_is_a_preview_warning_but_a_pool_plan_error(tmp_path):
    unpriced = ("--stack", "prod", "--set", "pool.aws.instanceType=m8i-flex.2xlarge")
    preview = quaykit("preview", *unpriced, "--out", str(tmp_path / "out"))
    assert preview.returncode == 0, preview.stderr
    capacity = [line for line in preview.stdout.splitlines() if line.startswith(("capacity", "cost/month"))]
    assert capacity == ["capacity: no price/spec for 'm8i-flex.2xlarge' in quaykit/data/prices-2026-12.yaml; "
                        "add it under quaykit:capacity.prices"]
    assert (tmp_path / "out" / "build-nodes").is_dir()
    _refused(quaykit("pool", "plan", *unpriced),
             "quaykit:pool.aws.instanceType: no price or spec for 'm8i-flex.2xlarge' in "
             "quaykit/data/prices-2026-12.yaml; did you mean 'm8i.2xlarge'?; add it under quaykit:capacity.prices")


def test_a_machine_added_under_capacity_prices_is_planned(tmp_path):
    project = project_copy(tmp_path)
    path = project / "stacks" / "Pulumi.prod.yaml"
    path.write_text(path.read_text().replace("instanceType: c8i.8xlarge", "instanceType: m8i.metal-48xl").replace(
        "    prices:\n", "    prices:\n      m8i.metal-48xl: {hourly: 10.0, vcpus: 192, memoryGib: 768}\n"))
    result = quaykit("pool", "plan", "--stack", "prod", cwd=project)
    assert result.returncode == 0, result.stderr
    # 32 VMs; 192 vCPU / 768 GiB holds min((192 - 1) // 2, (768 - 2) // 4) = 95 -> 1 node, 10 $/h * 730 h each.
    backend, name, vcpus, gib, per_node, nodes, hourly, *_ = _configured_row(result.stdout)
    assert (backend, name, per_node, nodes, hourly) == ("aws", "m8i.metal-48xl", "95", "1", "$7,300")


def _worker_warnings(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("capacity: warning:")]


def test_prod_lets_quay_run_as_many_builds_as_its_capacity_plan_needs():
    # 32 build VMs needed (see above); 3 × c8i.8xlarge hold 3 × 15 = 45.
    for command in (("preview",), ("pool", "plan")):
        result = quaykit(*command, "--stack", "prod")
        assert result.returncode == 0, result.stderr
        assert _worker_warnings(result.stdout) == [], result.stdout


@pytest.mark.parametrize("workers, warning", [
    (5, "capacity: warning: registry.builds.maxWorkers 5 is below the 32 build VMs needed; "
        "Quay runs at most 5 builds at once (set it to 32)"),
    (50, "capacity: warning: registry.builds.maxWorkers 50 is above the 45 build VMs the pool holds (3 × 15); "
         "builds past 45 wait for a free node"),
], ids=["below-needed", "above-pool"])
def test_max_workers_out_of_line_with_the_capacity_plan_is_warned_about(workers, warning):
    for command in (("preview",), ("pool", "plan")):
        result = quaykit(*command, "--stack", "prod", "--set", f"registry.builds.maxWorkers={workers}")
        assert result.returncode == 0, result.stderr
        assert _worker_warnings(result.stdout) == [warning]


def test_pool_plan_into_a_closed_pipe_exits_quietly():
    # `quaykit pool plan | head -1`, made deterministic: the reader is gone before the first line is written.
    read_end, write_end = os.pipe()
    os.close(read_end)
    with os.fdopen(write_end, "w") as closed_pipe:
        result = subprocess.run([QUAYKIT, "pool", "plan", "--stack", "prod"], cwd=ROOT, stdout=closed_pipe,
                                stderr=subprocess.PIPE, text=True, timeout=300)
    assert (result.returncode, result.stderr) == (0, "")


def test_pool_plan_check_fails_ci_only_when_the_pool_is_short():
    short = quaykit("pool", "plan", "--stack", "prod", "--check", "--set", "pool.count=2")
    assert short.returncode == 1, short.stderr
    assert "pool.count 2 is NOT enough: needs 3, short by 1" in short.stdout
    enough = quaykit("pool", "plan", "--stack", "prod", "--check")
    assert enough.returncode == 0, enough.stderr
    unchecked = quaykit("pool", "plan", "--stack", "prod", "--set", "pool.count=2")
    assert unchecked.returncode == 0, unchecked.stderr


def test_pool_plan_marks_equinix_metal_rows_as_shut_down():
    result = quaykit("pool", "plan", "--stack", "prod")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if re.match(r"^[ *] (equinix-metal|aws) ", line)]
    metal = [row for row in rows if row[2:].startswith("equinix-metal")]
    assert metal and all(row.endswith("  shut down 2026-06-30") for row in metal), metal
    assert not any("shut down" in row for row in rows if row not in metal)
    # Nothing shut down is recommended: the cheapest lines name EC2 types.
    cheapest = next(line for line in result.stdout.splitlines() if line.startswith("cheapest always-on:"))
    assert ".x86" not in cheapest, cheapest
