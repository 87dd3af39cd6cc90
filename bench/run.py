"""`make bench`: how fast the kit plans, and how its cost grows with the size of the build pool.

Every measurement is its own process (wall time: median of RUNS after one warm-up; peak RSS: the largest
of those runs, from the kernel's per-child accounting). The floor is a process that only imports the
Pulumi SDK modules the program actually uses — discovered by running the program once — so the ratio
shows what quaykit adds on top of what any Pulumi program with these resources must pay.
"""
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
SDK_PACKAGES = ("pulumi", "pulumi_aws", "pulumi_kubernetes", "pulumi_equinix_metal", "pulumi_random")
SIZES = (10, 100, 1000)
TARGETS = {"prod_vs_floor": 2.0, "n1000_vs_n100": 10.0, "n1000_seconds": 15.0, "rss_mb": 400.0}

DISCOVER = f"""
import contextlib, io, json, sys
from quaykit.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    main(["preview", "--stack", "prod"])
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {SDK_PACKAGES!r})))
"""


def run_once(argv: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB, stdout) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv)} exited {proc.returncode}")
    return wall, usage.ru_maxrss / 1024, out


def measure(name: str, argv: list[str]) -> dict:
    run_once(argv)  # warm-up: page cache, .pyc files
    samples = [run_once(argv) for _ in range(RUNS)]
    match = re.search(r"^(\d+) resources", samples[0][2], re.M)
    return {"name": name, "seconds": statistics.median(s[0] for s in samples),
            "peak_rss_mb": max(s[1] for s in samples), "resources": int(match.group(1)) if match else None,
            "runs": RUNS}


def scenarios(sdk_modules: list[str]) -> list[tuple[str, list[str]]]:
    quaykit = [PYTHON, "-m", "quaykit.cli", "preview"]
    floor = "import importlib\nfor m in %r: importlib.import_module(m)" % sdk_modules
    # prod's AWS pool is one Auto Scaling group whatever its size; on Equinix Metal every node is a device,
    # so that backend is where the plan grows with the fleet.
    metal = ["--set", "pool.backend=equinix-metal"]
    return [
        ("floor (SDK imports)", [PYTHON, "-c", floor]),
        ("preview dev", quaykit + ["--stack", "dev"]),
        ("preview prod", quaykit + ["--stack", "prod"]),
        *[(f"prod aws, pool of {n}", quaykit + ["--stack", "prod", "--set", f"pool.count={n}"]) for n in SIZES],
        *[(f"prod metal, pool of {n}", quaykit + ["--stack", "prod", *metal, "--set", f"pool.count={n}"])
          for n in SIZES],
    ]


def table(results: list[dict], floor: float) -> str:
    lines = [f"{'measurement':<26} {'median s':>9} {'× floor':>8} {'peak RSS MiB':>13} {'resources':>10}"]
    for r in results:
        lines.append(f"{r['name']:<26} {r['seconds']:>9.2f} {r['seconds'] / floor:>8.2f} "
                     f"{r['peak_rss_mb']:>13.0f} {r['resources'] if r['resources'] is not None else '-':>10}")
    return "\n".join(lines)


def main() -> int:
    discovered = subprocess.run([PYTHON, "-c", DISCOVER], cwd=ROOT, capture_output=True, text=True, check=True)
    sdk_modules = json.loads(discovered.stdout.strip().splitlines()[-1])
    results = []
    for name, argv in scenarios(sdk_modules):
        results.append(measure(name, argv))
        print(f"  measured {name}", file=sys.stderr)
    by_name = {r["name"]: r for r in results}
    floor = by_name["floor (SDK imports)"]["seconds"]
    n100, n1000 = by_name["prod metal, pool of 100"], by_name["prod metal, pool of 1000"]
    checks = {
        "prod preview ≤ 2 × floor": by_name["preview prod"]["seconds"] / floor <= TARGETS["prod_vs_floor"],
        "1,000-node ≤ 10 × 100-node": n1000["seconds"] / n100["seconds"] <= TARGETS["n1000_vs_n100"],
        "1,000-node ≤ 15 s": n1000["seconds"] <= TARGETS["n1000_seconds"],
        "peak RSS ≤ 400 MB": all(r["peak_rss_mb"] * 1.048576 <= TARGETS["rss_mb"] for r in results),
    }
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
    print(f"quaykit bench — {machine}, {RUNS} runs each after a warm-up; floor imports {len(sdk_modules)} SDK modules")
    print(table(results, floor))
    aws_ratio = by_name["prod aws, pool of 1000"]["seconds"] / by_name["prod aws, pool of 100"]["seconds"]
    print(f"1,000/100 ratio: {n1000['seconds'] / n100['seconds']:.2f} on equinix-metal (a device per node), "
          f"{aws_ratio:.2f} on aws (one Auto Scaling group)")
    for check, ok in checks.items():
        print(f"{'✓' if ok else '✗'} {check}")
    out = ROOT / "build" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"machine": machine, "results": results, "floor_modules": len(sdk_modules),
                               "ratio_1000_100": n1000["seconds"] / n100["seconds"], "targets_met": checks},
                              indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
