"""Turn a validation failure into the one line a user reads: `FILE: KEY: what is wrong and how to fix it`."""
import difflib
import re
from typing import Any, Optional

from pydantic import BaseModel, SecretStr, ValidationError

from .schema import field_at, is_secret_field, model_at

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


def stack_name(source: str) -> str:
    """'stacks/Pulumi.prod.yaml (with --set …)' -> 'prod'; the stack a `pulumi config set` hint targets."""
    found = re.search(r"Pulumi\.([^/\s]+?)\.yaml", source)
    return found.group(1) if found else "STACK"


def set_secret_command(key: str, source: str) -> str:
    """The command that stores a secret encrypted in the stack file (`--path` because the key is nested)."""
    return f"pulumi config set --secret --path '{key}' --stack {stack_name(source)}"  # prompts: no shell history


def _got(value: Any) -> str:
    if isinstance(value, SecretStr):
        return ""  # never echo a secret, even a misplaced one
    return f" (got {value!r})" if isinstance(value, (str, int, float, bool)) else ""


def _known_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys the model accepts at `loc` (for "did you mean")."""
    found = model_at(model, loc)
    return [f.alias or n for n, f in found.model_fields.items()] if found else []


def _pattern_problem(ctx: dict, value: Any) -> str:
    if isinstance(value, str) and "://" in value:
        return f"must be a host name without a scheme such as https://{_got(value)}"
    if isinstance(value, str) and value != value.lower() and re.fullmatch(ctx["pattern"], value.lower()):
        return f"must be lowercase{_got(value)}"
    return f"does not match {ctx['pattern']}{_got(value)}"


def _choice_problem(ctx: dict, value: Any) -> str:
    # A near miss names the one value meant; the full list only when nothing is close.
    choices = re.findall(r"'([^']*)'", ctx["expected"])
    close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.85) if isinstance(value, str) else []
    if close:
        return f"not a valid choice; did you mean '{close[0]}'?{_got(value)}"
    return f"must be one of {ctx['expected']}{_got(value)}"


SIMPLE_PROBLEMS = {
    "missing": lambda ctx, v: "required key is missing",
    "greater_than_equal": lambda ctx, v: f"must be ≥ {ctx['ge']}{_got(v)}",
    "less_than_equal": lambda ctx, v: f"must be ≤ {ctx['le']}{_got(v)}",
    "greater_than": lambda ctx, v: f"must be > {ctx['gt']}{_got(v)}",
    "less_than": lambda ctx, v: f"must be < {ctx['lt']}{_got(v)}",
    "string_too_short": lambda ctx, v: f"must not be empty{_got(v)}" if ctx.get("min_length") == 1
    else f"must be at least {ctx['min_length']} characters{_got(v)}",
    "string_too_long": lambda ctx, v: f"must be at most {ctx['max_length']} characters{_got(v)}",
    "literal_error": lambda ctx, v: _choice_problem(ctx, v),
    "string_pattern_mismatch": lambda ctx, v: _pattern_problem(ctx, v),
    "int_parsing": lambda ctx, v: f"must be a whole number{_got(v)}",
    "int_type": lambda ctx, v: f"must be a whole number{_got(v)}",
    "int_from_float": lambda ctx, v: f"must be a whole number{_got(v)}",
    "bool_parsing": lambda ctx, v: f"must be true or false{_got(v)}",
    "bool_type": lambda ctx, v: f"must be true or false{_got(v)}",
    "string_type": lambda ctx, v: f"must be a string{_got(v)}",
    "model_type": lambda ctx, v: f"must be a mapping of keys{_got(v)}",
    "model_attributes_type": lambda ctx, v: f"must be a mapping of keys{_got(v)}",
    "dict_type": lambda ctx, v: f"must be a mapping of keys{_got(v)}",
    "list_type": lambda ctx, v: f"must be a list{_got(v)}",
}


def describe(error: dict, root: type[BaseModel]) -> tuple[tuple, str]:
    """Return (location, problem) for one pydantic error dict."""
    loc, kind, ctx, value = tuple(error["loc"]), error["type"], error.get("ctx", {}), error.get("input")
    if kind == "extra_forbidden":
        parent, name = loc[:-1], str(loc[-1])
        close = difflib.get_close_matches(name, _known_keys(root, parent), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(_known_keys(root, parent))}"
        return loc, f"unknown key{hint}"
    if kind in SIMPLE_PROBLEMS:
        return loc, SIMPLE_PROBLEMS[kind](ctx, value)
    message = re.sub(r"^(Value|Assertion) error, ", "", error["msg"])
    # Model validators name the key they refer to: "host: required when mode is external".
    # Validators name the key they judge first: "host: required …" or, across layers, "storage.irsa.x: …".
    sub = re.match(r"^([a-z][A-Za-z0-9]*(?:\.[a-z][A-Za-z0-9]*)*): (.+)$", message)
    if sub:
        return loc + tuple(sub.group(1).split(".")), sub.group(2)
    return loc, message[0].lower() + message[1:]


def _secret_hint(root: type[BaseModel], loc: tuple, problem: str, source: str) -> str:
    """A required secret that is missing gets the exact command that sets it."""
    field = field_at(root, loc)
    if field is None or not is_secret_field(field) or not problem.startswith("required"):
        return problem
    reason = re.sub(r"\s*\(pulumi config set[^)]*\)", "", problem)
    return f"secret is missing ({reason}); run: {set_secret_command(config_key(loc), source)}"


def from_validation_error(exc: ValidationError, root: type[BaseModel], source: str) -> SettingsError:
    errors = exc.errors(include_url=False)
    # A typo'd key also makes its intended key "missing": the typo is the line worth reading.
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    field = field_at(root, tuple(str(part) for part in first["loc"]))
    if field is not None and is_secret_field(field):
        first = {**first, "input": SecretStr("")}  # a rejected secret is never quoted back
    loc, problem = describe(first, root)
    if not loc:
        return SettingsError(source, None, problem)
    return SettingsError(source, config_key(loc), _secret_hint(root, loc, problem, source))
