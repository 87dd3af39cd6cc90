"""`quaykit pool plan`: how many build nodes a stack needs, and the monthly cost of each way to pay for them."""
from ..capacity.report import UnpricedPool, capacity_report, plan_lines
from ..overrides import OverrideError
from ..settings import SettingsError
from ..stacks import load_stack_with_overrides, project_root


def plan(*, stack: str, overrides: list[str]) -> int:
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
    for line in plan_lines(report, stack, loaded.source):
        print(line)
    return 0
