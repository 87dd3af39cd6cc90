"""Rendering of the text formats in templates/: strict jinja2, YAML emitted from data."""
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import yaml

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


class _PlainDumper(yaml.SafeDumper):
    """No &anchors/*aliases: a value used twice is written twice, as a human would."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # Multi-line values (PEM certificates, scripts) as literal blocks, as a human would write them.
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_PlainDumper.add_representer(str, _str)


def to_yaml(value: Any, indent: int = 0) -> str:
    """Block YAML from data, keys in the order given; `indent` shifts every line after the first."""
    text = yaml.dump(value, Dumper=_PlainDumper, sort_keys=False, default_flow_style=False, width=1000,
                     allow_unicode=True).rstrip("\n")
    if text.endswith("\n..."):
        text = text[: -len("\n...")]
    # Every YAML line break, not only \n: PyYAML writes \u2028 & co. raw in literal blocks, and reads them as breaks.
    return re.sub(r"\r\n|[\n\r\x85\u2028\u2029]", lambda m: m.group(0) + " " * indent, text) if indent else text


def yaml_scalar(value: str) -> str:
    """A string as one YAML token on one line: plain when it reads back unchanged, else JSON (double-quoted)."""
    text = to_yaml(value)
    if re.search(r"[\n\r\x85\u2028\u2029]", text) or yaml.safe_load(text) != value:
        return json.dumps(value)
    return text


def shell_quote(value: str) -> str:
    """One POSIX shell word, always single-quoted (shlex.quote, minus its bare form for "safe" strings)."""
    return "'" + str(value).replace("'", "'\"'\"'") + "'"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        undefined=jinja2.StrictUndefined,  # a missing variable is an error, never an empty string
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["to_yaml"] = to_yaml
    env.filters["yaml_scalar"] = yaml_scalar
    env.filters["shell_quote"] = shell_quote
    return env


def render(template_name: str, values: dict[str, Any]) -> str:
    return environment().get_template(template_name).render(**values)
