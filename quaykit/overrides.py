"""`--set KEY=VALUE` overrides of stack config, e.g. `--set pool.count=100` or `--set quaykit:registry.replicas=5`."""
import copy
from typing import Any

import yaml

from .settings.errors import NAMESPACE


class OverrideError(ValueError):
    pass


def shown(text: str) -> str:
    """`--set KEY=VALUE` as it may be printed: the value of a secret field is masked."""
    from .settings.schema import field_at, is_secret_field
    from .settings.stack import StackSettings

    key, sep, _ = text.partition("=")
    loc = tuple(key.removeprefix(f"{NAMESPACE}:").split("."))
    fields = [field_at(StackSettings, loc[:depth]) for depth in range(1, len(loc) + 1)]  # also under a secret
    return f"{key}=[secret]" if sep and any(f is not None and is_secret_field(f) for f in fields) else text


def parse_override(text: str) -> tuple[list[str], Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key:
        raise OverrideError(f"--set {shown(text)}: expected KEY=VALUE, e.g. --set pool.count=3")
    key = key.removeprefix(f"{NAMESPACE}:")
    if ":" in key:
        raise OverrideError(f"--set {shown(text)}: --set only sets {NAMESPACE}: keys; set {key} in the stack file "
                            f"(pulumi config set {key} …)")
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
                raise OverrideError(f"--set {shown(text)}: {part} is not a mapping")
            node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise OverrideError(f"--set {shown(text)}: cannot set a key inside a non-mapping value")
        node[path[-1]] = value
    return result
