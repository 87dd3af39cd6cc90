"""`quaykit preview`: the real program, offline, under Pulumi's mock engine. Nothing is deployed."""
import sys
from pathlib import Path
from typing import Optional

from ..overrides import OverrideError
from ..settings import SettingsError
from ..stacks import display_path, load_stack_with_overrides, project_root

EQUINIX_SHUTDOWN_WARNING = ("warning: Equinix Metal was shut down on 2026-06-30; this stack's build pool "
                            "(backend equinix-metal) can only be created with remaining capacity or a successor API")


def preview(*, stack: str, json_path: Optional[Path], out_dir: Optional[Path], overrides: list[str],
            against: Optional[str] = None, fmt: str = "text") -> int:
    root = project_root()
    try:
        loaded = load_stack_with_overrides(root, stack, overrides)
    except OverrideError as exc:
        raise SettingsError("command line", None, str(exc)) from None

    from ..capacity.report import capacity_report, summary_lines
    from ..preview.engine import run_program
    from ..preview.report import resource_tree, summary_line

    capacity = capacity_report(loaded.settings, loaded.source)  # before the run: a bad machine is refused early
    _check_output_paths(root, json_path, out_dir)
    if loaded.settings.pool.backend == "equinix-metal":
        print(EQUINIX_SHUTDOWN_WARNING, file=sys.stderr)
    run = run_program(root / "stacks" / "__main__.py", stack=stack, config=loaded.config,
                      secret_keys=loaded.secret_keys)

    if against is None:  # with --against the diff is the report (it goes to PR summaries as is)
        print(f"Preview of stack '{stack}' ({loaded.source}) — offline, mock engine: nothing is deployed.")
        for line in resource_tree(run):
            print(line)
        print(summary_line(run))
        for line in summary_lines(capacity) if capacity else []:
            print(line)

    _write_outputs(run, json_path, out_dir)
    if against is not None:
        return _diff_against(root, stack, against, run, fmt)
    return 0


def _check_output_paths(root: Path, json_path: Optional[Path], out_dir: Optional[Path]) -> None:
    """Refuse a bad --json/--out before the program runs, so that a refusal writes nothing."""
    from ..preview.artifacts import out_dir_problem

    if json_path is not None:
        target = json_path.resolve()
        if target.is_dir():
            raise SettingsError(f"--json {json_path}", None, "is a directory; give a file path, e.g. plan.json")
        folder = next(f for f in target.parents if f.exists())
        if not folder.is_dir():
            raise SettingsError(f"--json {json_path}", None, f"{display_path(folder)} is a file, not a directory")
    if out_dir is not None:
        keep = {root: "the project root", Path.cwd(): "the current directory"}
        if json_path is not None:
            keep[json_path] = display_path(json_path)
        problem = out_dir_problem(out_dir, keep=keep)
        if problem:
            raise SettingsError(f"--out {out_dir}", None, problem)


def _write_outputs(run, json_path: Optional[Path], out_dir: Optional[Path]) -> None:
    """Render both first, then write artifacts (staged, renamed whole) before the plan, so a failing --out leaves
    no plan behind."""
    from ..preview.artifacts import write_artifacts
    from ..preview.plan import plan_json

    text = plan_json(run) if json_path is not None else None
    if out_dir is not None:
        try:
            count = write_artifacts(run, out_dir)
        except OSError as exc:
            raise SettingsError(f"--out {out_dir}", None, f"cannot write: {exc.strerror or exc}") from None
    if json_path is not None:
        try:
            json_path.parent.mkdir(parents=True, exist_ok=True)
            json_path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise SettingsError(f"--json {json_path}", None, f"cannot write: {exc.strerror or exc}") from None
        print(f"plan written to {json_path}")
    if out_dir is not None:
        print(f"{count} artifacts written to {out_dir}/")


def _diff_against(root: Path, stack: str, ref: str, run, fmt: str) -> int:
    """Print what changes from `ref`'s plan to this one; 0 when both plans were made (changed or not)."""
    import json

    from ..against import RevisionError, against_title, plan_at_revision, resolve_revision
    from ..preview.plan import plan_json
    from .diff import render

    try:
        commit, short = resolve_revision(root, ref)
        old = plan_at_revision(root, ref, stack, commit)
    except RevisionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    lines, _ = render(old, json.loads(plan_json(run)), fmt, against_title(stack, ref, short, markdown=True))
    if fmt != "markdown":  # the markdown form opens with the title already
        lines.insert(0, against_title(stack, ref, short, markdown=False))
    print("\n".join(lines))
    return 0
