"""`quaykit pool plan`: how many build nodes a stack needs, and the monthly cost of each way to pay for them."""
import os
import sys

from ..capacity.report import UnpricedPool, capacity_report, plan_lines
from ..overrides import OverrideError
from ..settings import SettingsError
from ..stacks import load_stack_with_overrides, project_root


def plan(*, stack: str, overrides: list[str], check: bool = False) -> int:
    """Print the plan; with `check`, exit 1 when the configured pool.count is not enough (for CI)."""
    try:
        loaded = load_stack_with_overrides(project_root(), stack, overrides)
    except OverrideError as exc:
        raise SettingsError("command line", None, str(exc)) from None
    report = capacity_report(loaded.settings, loaded.source)
    if report is None:
        raise SettingsError(loaded.source, "quaykit:capacity",
                            "required for `quaykit pool plan`; set at least buildsPerHour and averageBuildMinutes")
    if isinstance(report, UnpricedPool):
        raise report.error
    status = 1 if check and not report.enough else 0
    try:
        sys.stdout.write("\n".join(plan_lines(report, stack, loaded.source)) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # `quaykit pool plan | head`: the reader has what it wanted. Point stdout at /dev/null so the interpreter's
        # final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return status
