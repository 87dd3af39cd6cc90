"""The plan of another git revision: its own program, run from a temporary `git worktree` of that revision."""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any


class RevisionError(RuntimeError):
    pass


def _git(root: Path, *args: str, problem: str = "") -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["failed"])[-1]
        raise RevisionError(f"{problem} (git: {last})" if problem else f"git {' '.join(args)}: {last}")
    return result.stdout.strip()


def empty_plan(stack: str) -> dict[str, Any]:
    return {"project": "quaykit", "stack": stack, "resources": [], "outputs": {}}


def resolve_revision(root: Path, ref: str) -> tuple[str, str]:
    """`ref`'s full and short commit ids, or a one-line error naming `ref`."""
    commit = _git(root, "rev-parse", "--verify", f"{ref}^{{commit}}",
                  problem=f"--against {ref}: not a git revision here")
    return commit, _git(root, "rev-parse", "--short", commit)


def against_title(stack: str, ref: str, short: str, *, markdown: bool) -> str:
    """The diff's first line: which revision was compared, also when nothing changed."""
    return f"Stack `{stack}`: changes against `{ref}` ({short})" if markdown else \
        f"stack {stack}: changes against {ref} ({short})"


def plan_at_revision(root: Path, ref: str, stack: str, commit: str) -> dict[str, Any]:
    """Plan `stack` as revision `ref` (`commit`, from resolve_revision) would: that revision's code and stack file,
    this machine's interpreter.

    A stack that does not exist at `ref` has an empty plan there (everything is a create).
    """
    prefix = _git(root, "rev-parse", "--show-prefix")
    with tempfile.TemporaryDirectory(prefix="quaykit-against-") as tmp:
        checkout = Path(tmp) / "revision"
        _git(root, "worktree", "add", "--detach", str(checkout), commit)
        try:
            project = checkout / prefix
            if not (project / "stacks" / f"Pulumi.{stack}.yaml").is_file():
                return empty_plan(stack)
            plan_path = Path(tmp) / "plan.json"
            # That revision's packages first; whatever the caller's PYTHONPATH adds stays reachable after them.
            paths = [str(project), *filter(None, [os.environ.get("PYTHONPATH")])]
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
            run = subprocess.run([sys.executable, "-m", "quaykit.cli", "preview", "--stack", stack,
                                  "--json", str(plan_path)], cwd=project, env=env, capture_output=True, text=True)
            if run.returncode != 0 or not plan_path.is_file():
                last = (run.stderr.strip().splitlines() or ["no output"])[-1]
                raise RevisionError(f"{ref}: the preview of that revision failed: {last}")
            return json.loads(plan_path.read_text(encoding="utf-8"))
        finally:
            # Always unregister the worktree: it lives in the repository's shared metadata.
            subprocess.run(["git", "worktree", "remove", "--force", str(checkout)], cwd=root, capture_output=True)
