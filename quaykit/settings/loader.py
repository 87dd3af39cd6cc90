"""Stack config in, typed settings out. The only place raw config is interpreted."""
import difflib
import json
from pathlib import Path
from typing import Any, Iterator, Mapping

import yaml
from pydantic import ValidationError

from .errors import NAMESPACE, SettingsError, config_key, from_validation_error, set_secret_command
from .schema import field_at, is_secret_field, model_at, secret_locations
from .stack import StackSettings

TOP_LEVEL_KEYS = tuple(f.alias or n for n, f in StackSettings.model_fields.items())


def secret_placeholder(key: str) -> str:
    """What a `secure:` value becomes offline: visibly fake, and still handled as a secret."""
    return f"PREVIEW-SECRET({key})"


def is_secret_placeholder(value: Any) -> bool:
    """True for a value that came from a `secure:` entry of a stack file."""
    return isinstance(value, str) and value.startswith("PREVIEW-SECRET(") and value.endswith(")")


def contains_secret_placeholder(value: Any) -> bool:
    """True when a config value holds a `secure:` entry anywhere inside it."""
    if isinstance(value, dict):
        return any(contains_secret_placeholder(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_secret_placeholder(v) for v in value)
    return is_secret_placeholder(value)


def _value_at(config: Mapping[str, Any], loc: tuple) -> Any:
    node: Any = config.get(f"{NAMESPACE}:{loc[0]}")
    for part in loc[1:]:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def refuse_plain_secrets(config: Mapping[str, Any], source: str) -> None:
    """A secret written in plain text is already leaked into git: refuse it and say how to store it.

    Only stack *files* are checked: under `pulumi up` the engine hands the program decrypted values.
    """
    for loc in secret_locations(StackSettings):
        value = _value_at(config, loc)
        if value is not None and not is_secret_placeholder(value):
            key = config_key(loc)
            raise SettingsError(source, key, f"is a secret but written in plain text; remove it and run: "
                                             f"{set_secret_command(key, source)}")


def _placeholders(value: Any, loc: tuple) -> Iterator[tuple]:
    if is_secret_placeholder(value):
        yield loc
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _placeholders(v, loc + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _placeholders(v, loc + (str(i),))


def _is_typo(loc: tuple) -> bool:
    """True when `loc` names a key no settings block has: validation reports that with a "did you mean"."""
    for depth in range(1, len(loc) + 1):
        model = model_at(StackSettings, loc[:depth - 1])
        if model is None:
            return False  # inside a free-form value (tags, lists): a real key of the user's own
        if field_at(StackSettings, loc[:depth]) is None:
            return True
    return False


def refuse_misplaced_secure(config: Mapping[str, Any], source: str) -> None:
    """`secure:` on a plain field would hand the decrypted value to plain inputs (tags, hosts) under `pulumi up`."""
    secrets = ", ".join(config_key(loc) for loc in secret_locations(StackSettings))
    for key, value in config.items():
        namespace, _, name = key.partition(":")
        if namespace != NAMESPACE:
            continue
        for loc in _placeholders(value, (name,)):
            field = field_at(StackSettings, loc)
            if (field is None or not is_secret_field(field)) and not _is_typo(loc):
                raise SettingsError(source, config_key(loc), f"is not a secret field; write it in plain text "
                                                             f"(secure: values are only for {secrets})")


def settings_from_config(config: Mapping[str, Any], source: str) -> StackSettings:
    """Validate every `quaykit:` key of a stack's config. Other namespaces (aws:, kubernetes:) are left alone."""
    data: dict[str, Any] = {}
    for key, value in config.items():
        if not isinstance(key, str):
            raise SettingsError(source, None, f"config key {key!r} is not a string (quote it)")
        namespace, _, name = key.partition(":")
        if namespace != NAMESPACE:
            if difflib.get_close_matches(namespace, [NAMESPACE], n=1, cutoff=0.7):
                raise SettingsError(source, key, f"unknown namespace; did you mean '{NAMESPACE}:{name}'?")
            continue
        if value is None:
            continue  # an empty `quaykit:capacity:` means "not set", here and in the program alike
        head, dot, rest = name.partition(".")
        if dot and head in TOP_LEVEL_KEYS:
            raise SettingsError(source, key, f"a nested key written flat (`pulumi config set` without --path?); "
                                             f"put `{rest}` under `{NAMESPACE}:{head}`")
        if name not in TOP_LEVEL_KEYS:
            close = difflib.get_close_matches(name, TOP_LEVEL_KEYS, n=1)
            hint = f"did you mean '{NAMESPACE}:{close[0]}'?" if close else f"known keys: {', '.join(TOP_LEVEL_KEYS)}"
            raise SettingsError(source, key, f"unknown key; {hint}")
        data[name] = value
    _refuse_python_names(data, (), source)
    try:
        return StackSettings.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, StackSettings, source) from None


def _refuse_python_names(data: Any, loc: tuple, source: str) -> None:
    """`bucket_name:` in YAML would be accepted by name (populate_by_name serves Python callers); stack files
    use one spelling, the camelCase alias, so that two stacks never spell the same key two ways."""
    model = model_at(StackSettings, loc)
    if model is None or not isinstance(data, dict):
        return
    for name, field in model.model_fields.items():
        alias = field.alias or name
        if name != alias and name in data:
            raise SettingsError(source, config_key(loc + (name,)), f"unknown key; did you mean '{alias}'?")
        _refuse_python_names(data.get(alias), loc + (alias,), source)


class DuplicateKeyError(Exception):
    pass


class StackLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (PyYAML keeps the last one silently)."""

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if isinstance(key, (str, int, float, bool, type(None))) and key in seen:
                raise DuplicateKeyError(f"duplicate key '{key}' at line {line} (first at line {seen[key]}); "
                                        "YAML would keep only the last one")
            if isinstance(key, (str, int, float, bool, type(None))):
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _replace_secure(value: Any, path: str) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return secret_placeholder(path)
        return {k: _replace_secure(v, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_secure(v, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


PLAIN_TYPES = (str, int, float, bool, type(None), dict, list)


def _refuse_odd_yaml(value: Any, key: str, source: str) -> None:
    """Keys must be strings and values plain data: `!!binary`, dates and sets cannot reach the program as JSON."""
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                hint = ("YAML reads on/off/yes/no as booleans: quote it" if isinstance(k, bool) else "quote it")
                shown = "null" if k is None else repr(k)
                raise SettingsError(source, key or None, f"key {shown} is not a string ({hint})")
            _refuse_odd_yaml(v, f"{key}.{k}" if key else k, source)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _refuse_odd_yaml(v, f"{key}[{i}]", source)
    elif not isinstance(value, PLAIN_TYPES):
        kind = {"bytes": "!!binary value", "datetime": "timestamp"}.get(type(value).__name__, type(value).__name__)
        raise SettingsError(source, key, f"is a YAML {kind}, which the program cannot be handed; "
                                         "write plain text (quote it)")


def read_stack_file(path: Path, source: str) -> dict[str, Any]:
    """Read a `Pulumi.<stack>.yaml`; `secure:` values become placeholders (they cannot be decrypted offline)."""
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=StackLoader)
    except FileNotFoundError:
        raise SettingsError(source, None, "no such stack file") from None
    except UnicodeDecodeError as exc:
        raise SettingsError(source, None, f"not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset "
                                          f"{exc.start})") from None
    except DuplicateKeyError as exc:
        raise SettingsError(source, None, str(exc)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise SettingsError(source, None, f"not valid YAML{where}: {problem}") from None
    if document is None:
        document = {}
    if not isinstance(document, dict) or not isinstance(document.get("config", {}), dict):
        raise SettingsError(source, None, "must be a mapping with a `config:` mapping inside")
    _refuse_odd_yaml(document.get("config") or {}, "", source)
    return {key: _replace_secure(value, key) for key, value in (document.get("config") or {}).items()}


def settings_from_pulumi_runtime(source: str) -> StackSettings:
    """Read the config the Pulumi engine handed this program (under `pulumi up` or the offline preview)."""
    from pulumi.runtime import config as runtime_config

    merged = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    config = {}
    for key, value in merged.items():
        # The engine passes structured config as JSON text; "null" is an empty block, i.e. not set.
        if isinstance(value, str) and (value[:1] in "{[" or value == "null"):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                pass
        config[key] = value
    return settings_from_config(config, source)
