"""Stack config in, typed settings out. The only place raw config is interpreted."""
import difflib
import json
from pathlib import Path
from typing import Any, Mapping

import yaml
from pydantic import ValidationError

from .errors import NAMESPACE, SettingsError, from_validation_error
from .stack import StackSettings

TOP_LEVEL_KEYS = tuple(f.alias or n for n, f in StackSettings.model_fields.items())


def secret_placeholder(key: str) -> str:
    """What a `secure:` value becomes offline: visibly fake, and still handled as a secret."""
    return f"PREVIEW-SECRET({key})"


def settings_from_config(config: Mapping[str, Any], source: str) -> StackSettings:
    """Validate every `quaykit:` key of a stack's config. Other namespaces (aws:, kubernetes:) are left alone."""
    data: dict[str, Any] = {}
    for key, value in config.items():
        namespace, _, name = key.partition(":")
        if namespace != NAMESPACE:
            continue
        if name not in TOP_LEVEL_KEYS:
            close = difflib.get_close_matches(name, TOP_LEVEL_KEYS, n=1)
            hint = f"did you mean '{NAMESPACE}:{close[0]}'?" if close else f"known keys: {', '.join(TOP_LEVEL_KEYS)}"
            raise SettingsError(source, key, f"unknown key; {hint}")
        data[name] = value
    try:
        return StackSettings.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, StackSettings, source) from None


def _replace_secure(value: Any, path: str) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return secret_placeholder(path)
        return {k: _replace_secure(v, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_secure(v, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def read_stack_file(path: Path, source: str) -> dict[str, Any]:
    """Read a `Pulumi.<stack>.yaml`; `secure:` values become placeholders (they cannot be decrypted offline)."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(source, None, "no such stack file") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise SettingsError(source, None, f"not valid YAML{where}: {problem}") from None
    if document is None:
        document = {}
    if not isinstance(document, dict) or not isinstance(document.get("config", {}), dict):
        raise SettingsError(source, None, "must be a mapping with a `config:` mapping inside")
    return {key: _replace_secure(value, key) for key, value in (document.get("config") or {}).items()}


def settings_from_pulumi_runtime(source: str) -> StackSettings:
    """Read the config the Pulumi engine handed this program (under `pulumi up` or the offline preview)."""
    from pulumi.runtime import config as runtime_config

    merged = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    config = {}
    for key, value in merged.items():
        # The engine passes structured config as JSON text.
        if isinstance(value, str) and value[:1] in "{[":
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                pass
        config[key] = value
    return settings_from_config(config, source)
