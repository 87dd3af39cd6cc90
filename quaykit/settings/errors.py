"""Turn a validation failure into the one line a user reads: `FILE: KEY: what is wrong and how to fix it`."""
import difflib
import re
from typing import Any, Optional

from pydantic import BaseModel, ValidationError

NAMESPACE = "quaykit"


class SettingsError(Exception):
    """A stack config problem, already phrased for the user."""

    def __init__(self, source: str, key: Optional[str], problem: str):
        self.source, self.key, self.problem = source, key, problem
        super().__init__(f"{source}: {key}: {problem}" if key else f"{source}: {problem}")


def config_key(loc: tuple) -> str:
    """('pool', 'equinixMetal', 'plan') -> 'quaykit:pool.equinixMetal.plan'."""
    head, *rest = [str(part) for part in loc]
    return f"{NAMESPACE}:{head}" + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in rest)


def _got(value: Any) -> str:
    return f" (got {value!r})" if isinstance(value, (str, int, float, bool)) and not isinstance(value, dict) else ""


def _known_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys the model accepts at `loc` (for "did you mean")."""
    for part in loc:
        field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
        annotation = getattr(field, "annotation", None)
        inner = [a for a in getattr(annotation, "__args__", (annotation,)) if isinstance(a, type) and issubclass(a, BaseModel)]
        if not inner:
            return []
        model = inner[0]
    return [f.alias or n for n, f in model.model_fields.items()]


def describe(error: dict, root: type[BaseModel]) -> tuple[tuple, str]:
    """Return (location, problem) for one pydantic error dict."""
    loc, kind, ctx, value = tuple(error["loc"]), error["type"], error.get("ctx", {}), error.get("input")
    if kind == "extra_forbidden":
        parent, name = loc[:-1], str(loc[-1])
        close = difflib.get_close_matches(name, _known_keys(root, parent), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(_known_keys(root, parent))}"
        return loc, f"unknown key{hint}"
    if kind == "missing":
        return loc, "required key is missing"
    if kind == "greater_than_equal":
        return loc, f"must be ≥ {ctx['ge']}{_got(value)}"
    if kind == "less_than_equal":
        return loc, f"must be ≤ {ctx['le']}{_got(value)}"
    if kind == "literal_error":
        return loc, f"must be one of {ctx['expected']}{_got(value)}"
    if kind == "string_pattern_mismatch":
        return loc, f"does not match {ctx['pattern']}{_got(value)}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return loc, f"must be a whole number{_got(value)}"
    if kind in ("bool_parsing", "bool_type"):
        return loc, f"must be true or false{_got(value)}"
    if kind in ("string_type",):
        return loc, f"must be a string{_got(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return loc, f"must be a mapping of keys{_got(value)}"
    if kind == "list_type":
        return loc, f"must be a list{_got(value)}"
    message = re.sub(r"^(Value|Assertion) error, ", "", error["msg"])
    sub = re.match(r"^([a-z][A-Za-z0-9]*): (.+)$", message)
    if sub:
        return loc + (sub.group(1),), sub.group(2)
    return loc, message[0].lower() + message[1:]


def from_validation_error(exc: ValidationError, root: type[BaseModel], source: str) -> SettingsError:
    errors = exc.errors(include_url=False)
    loc, problem = describe(errors[0], root)
    if not loc:
        return SettingsError(source, None, problem)
    return SettingsError(source, config_key(loc), problem)
