"""Walking the settings models generically: by YAML key, whatever fields other layers add."""
import typing
from typing import Any, Iterator, Optional

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo


def yaml_key(name: str, field: FieldInfo) -> str:
    return field.alias or name


def _flatten(annotation: Any) -> list[Any]:
    """Optional[X] / Union[X, Y] / list[X] -> the types inside, one level deep."""
    args = typing.get_args(annotation)
    return [a for a in args if a is not type(None)] if args else [annotation]


def nested_model(field: FieldInfo) -> Optional[type[BaseModel]]:
    """The settings block a field holds, if it holds one directly or as Optional."""
    for candidate in _flatten(field.annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def is_secret_field(field: FieldInfo) -> bool:
    return any(candidate is SecretStr for candidate in _flatten(field.annotation))


def field_at(root: type[BaseModel], loc: tuple) -> Optional[FieldInfo]:
    """The field at a YAML location ('registry', 'database', 'password'), or None."""
    model: Optional[type[BaseModel]] = root
    field = None
    for part in loc:
        if model is None:
            return None
        field = next((f for n, f in model.model_fields.items() if yaml_key(n, f) == part), None)
        if field is None:
            return None
        model = nested_model(field)
    return field


def model_at(root: type[BaseModel], loc: tuple) -> Optional[type[BaseModel]]:
    """The settings block at a YAML location; () is the root itself."""
    if not loc:
        return root
    field = field_at(root, loc)
    return nested_model(field) if field is not None else None


def walk_fields(model: type[BaseModel], prefix: tuple = ()) -> Iterator[tuple[tuple, FieldInfo]]:
    """Every field, depth first, with its YAML location."""
    for name, field in model.model_fields.items():
        loc = prefix + (yaml_key(name, field),)
        yield loc, field
        inner = nested_model(field)
        if inner is not None:
            yield from walk_fields(inner, loc)


def secret_locations(model: type[BaseModel]) -> list[tuple]:
    return [loc for loc, field in walk_fields(model) if is_secret_field(field)]
