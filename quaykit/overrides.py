"""`--set KEY=VALUE` overrides of stack config, e.g. `--set pool.count=100` or `--set quaykit:registry.replicas=5`."""
import copy
from typing import Any

import yaml

from .settings.errors import NAMESPACE


class OverrideError(ValueError):
    pass


def parse_override(text: str) -> tuple[list[str], Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key:
        raise OverrideError(f"--set {text}: expected KEY=VALUE, e.g. --set pool.count=3")
    key = key.removeprefix(f"{NAMESPACE}:")
    try:
        value = yaml.safe_load(raw) if raw else ""
    except yaml.YAMLError:
        value = raw
    return key.split("."), value


def apply_overrides(config: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """A copy of `config` with each override applied; the result is validated like the stack file."""
    result = copy.deepcopy(config)
    for text in overrides:
        path, value = parse_override(text)
        top = f"{NAMESPACE}:{path[0]}"
        if len(path) == 1:
            result[top] = value
            continue
        node = result.setdefault(top, {})
        for part in path[1:-1]:
            if not isinstance(node, dict):
                raise OverrideError(f"--set {text}: {part} is not a mapping")
            node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise OverrideError(f"--set {text}: cannot set a key inside a non-mapping value")
        node[path[-1]] = value
    return result
