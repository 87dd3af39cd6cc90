"""`quaykit config check`."""
import sys

from ..overrides import OverrideError
from ..settings import SettingsError
from ..stacks import load_stack_with_overrides, project_root


def check(*, stack: str, overrides: list[str]) -> int:
    try:
        loaded = load_stack_with_overrides(project_root(), stack, overrides)
    except OverrideError as exc:
        raise SettingsError("command line", None, str(exc)) from None
    print(f"{loaded.source}: ok ({loaded.settings.pool.backend} pool of {loaded.settings.pool.count}, "
          f"{loaded.settings.registry.replicas} Quay replica(s))", file=sys.stdout)
    return 0
