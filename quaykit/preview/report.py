"""Human output of a preview: the resource tree grouped by component, and a count per provider."""
from collections import Counter, defaultdict

from .engine import ProgramRun, Recorded
from .plan import is_provider, managed, provider_package


def summary_line(run: ProgramRun) -> str:
    counts = Counter(provider_package(r.type) for r in managed(run))
    parts = ", ".join(f"{pkg} {n}" for pkg, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return f"{sum(counts.values())} resources ({parts})"


def resource_tree(run: ProgramRun) -> list[str]:
    children: dict[str, list[Recorded]] = defaultdict(list)
    for r in run.resources:
        children[r.parent].append(r)
    roots = [r for r in run.resources if r.parent not in {x.urn for x in run.resources}]
    lines = []
    providers = [r for r in roots if is_provider(r)]
    if providers:
        lines.append("providers")
        lines += [f"  {r.type}  {r.name}" for r in sorted(providers, key=lambda r: r.name)]

    def walk(node: Recorded, depth: int) -> None:
        lines.append(f"{'  ' * depth}{node.type}  {node.name}")
        for child in sorted(children[node.urn], key=lambda r: (r.custom, r.type, r.name)):
            walk(child, depth + 1)

    for root in sorted((r for r in roots if not is_provider(r)), key=lambda r: (r.custom, r.name)):
        walk(root, 0)
    return lines
