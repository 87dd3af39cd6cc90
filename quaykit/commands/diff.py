"""`quaykit diff OLD.json NEW.json`: the change between two plans, for people and for PR comments."""
import sys
from pathlib import Path

from ..plandiff import Change, PlanError, changed_outputs, diff_plans, read_plan, summary

EXIT_SAME, EXIT_ERROR, EXIT_CHANGED = 0, 1, 2


def _marker(change: Change) -> str:
    return f"  [forces replacement: {', '.join(change.replaced_by)}]" if change.replaced_by else ""


def render_text(changes: list[Change], outputs: list[str]) -> list[str]:
    lines = []
    for change in changes:
        op = "+-" if change.replaced_by else change.op
        lines.append(f"{op} {change.type}  {change.name}{_marker(change)}")
        lines += [f"      {path}" for path in change.paths]
        if change.note:
            lines.append(f"      note: {change.note}")
    if outputs:
        lines.append(f"outputs changed: {', '.join(outputs)}")
    lines.append(summary(changes) if changes else "no changes")
    return lines


def render_markdown(changes: list[Change], outputs: list[str], title: str) -> list[str]:
    lines = [f"### {title}", "", f"**{summary(changes)}**" if changes else "**No changes.**", ""]
    if changes:
        lines += ["| | resource | name | changed inputs |", "|---|---|---|---|"]
        for change in changes:
            icon = {"+": "➕ create", "-": "➖ delete", "~": "✏️ update"}[change.op]
            if change.replaced_by:
                icon = "⚠️ **replace**"
            paths = ", ".join(f"`{p}`" for p in change.paths)
            note = f" — {change.note}" if change.note else ""
            lines.append(f"| {icon} | `{change.type}` | `{change.name}` | {paths}{note} |")
    if outputs:
        lines += ["", f"Outputs changed: {', '.join(f'`{o}`' for o in outputs)}"]
    return lines


def render(old: dict, new: dict, fmt: str, title: str) -> tuple[list[str], bool]:
    """The rendered diff and whether anything changed."""
    changes, outputs = diff_plans(old, new), changed_outputs(old, new)
    lines = render_markdown(changes, outputs, title) if fmt == "markdown" else render_text(changes, outputs)
    return lines, bool(changes or outputs)


def diff(*, old_path: Path, new_path: Path, fmt: str) -> int:
    try:
        old, new = read_plan(old_path), read_plan(new_path)
    except PlanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    lines, changed = render(old, new, fmt, f"Plan diff: {old_path.name} → {new_path.name}")
    print("\n".join(lines))
    return EXIT_CHANGED if changed else EXIT_SAME
