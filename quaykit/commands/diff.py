"""`quaykit diff OLD.json NEW.json`: the change between two plans, for people and for PR comments."""
import sys
from pathlib import Path

from ..plandiff import Change, PlanError, changed_outputs, diff_plans, read_plan, summary

EXIT_SAME, EXIT_ERROR, EXIT_CHANGED = 0, 1, 2


def _marker(change: Change) -> str:
    return f"  [forces replacement: {', '.join(change.replaced_by)}]" if change.replaced_by else ""


CANNOT_COMPARE = "cannot compare: one plan shows only [secret] (made before secret fingerprints)"


def _path_text(change: Change, path: str) -> str:
    return f"{path}: [secret changed]" if path in change.secret_paths else path


def _last_line(changes: list[Change], outputs: list[str], unknown_outputs: list[str]) -> str:
    if any(c.op != "?" for c in changes) or outputs:
        return summary(changes)
    if any(c.op == "?" for c in changes) or unknown_outputs:
        return ("no changes among the values that could be compared; "
                "make both plans with this quaykit to compare secrets")
    return "no changes"


def render_text(changes: list[Change], outputs: list[str], unknown_outputs: list[str] = ()) -> list[str]:
    lines = []
    for change in changes:
        op = "+-" if change.replaced_by else change.op
        lines.append(f"{op} {change.type}  {change.name}{_marker(change)}")
        lines += [f"      {_path_text(change, path)}" for path in change.paths]
        lines += [f"      {path}: {CANNOT_COMPARE}" for path in change.uncomparable]
        if change.note:
            lines.append(f"      note: {change.note}")
    if outputs:
        lines.append(f"outputs changed: {', '.join(outputs)}")
    if unknown_outputs:
        lines.append(f"outputs {', '.join(unknown_outputs)}: {CANNOT_COMPARE}")
    lines.append(_last_line(changes, outputs, unknown_outputs))
    return lines


def render_markdown(changes: list[Change], outputs: list[str], title: str,
                    unknown_outputs: list[str] = ()) -> list[str]:
    last = _last_line(changes, outputs, unknown_outputs)
    lines = [f"### {title}", "", f"**{'No changes.' if last == 'no changes' else last}**", ""]
    if changes:
        lines += ["| | resource | name | changed inputs |", "|---|---|---|---|"]
        for change in changes:
            icon = {"+": "➕ create", "-": "➖ delete", "~": "✏️ update", "?": "❔ cannot compare"}[change.op]
            if change.replaced_by:
                icon = "⚠️ **replace**"
            paths = ", ".join([f"`{_path_text(change, p)}`" for p in change.paths] +
                              [f"`{p}` (cannot compare)" for p in change.uncomparable])
            note = f" — {change.note}" if change.note else ""
            lines.append(f"| {icon} | `{change.type}` | `{change.name}` | {paths}{note} |")
    if outputs:
        lines += ["", f"Outputs changed: {', '.join(f'`{o}`' for o in outputs)}"]
    if unknown_outputs:
        lines += ["", f"Outputs {', '.join(f'`{o}`' for o in unknown_outputs)}: {CANNOT_COMPARE}"]
    return lines


def render(old: dict, new: dict, fmt: str, title: str) -> tuple[list[str], bool]:
    """The rendered diff and whether anything changed."""
    changes, (outputs, unknown_outputs) = diff_plans(old, new), changed_outputs(old, new)
    if fmt == "markdown":
        lines = render_markdown(changes, outputs, title, unknown_outputs)
    else:
        lines = render_text(changes, outputs, unknown_outputs)
    return lines, bool(outputs or any(c.op != "?" for c in changes))


def diff(*, old_path: Path, new_path: Path, fmt: str) -> int:
    try:
        old, new = read_plan(old_path), read_plan(new_path)
    except PlanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    lines, changed = render(old, new, fmt, f"Plan diff: {old_path.name} → {new_path.name}")
    print("\n".join(lines))
    return EXIT_CHANGED if changed else EXIT_SAME
