"""Fork a stack file for another environment: names made unique, secrets dropped, the result validated.

The rule, in one place (also in `quaykit stack fork --help` and the README):
1. In every string under a `quaykit:` key, the source environment name as a whole token (between
   `.`, `-`, `_`, `/` or the ends) becomes the destination name: acme-quay-prod-blobs -> acme-quay-staging-blobs.
2. A value that must be unique per environment (keys named in UNIQUE_KEYS) and still equals the source's
   gets the destination name added: a host name as a new second label (quay.acme.example ->
   quay.staging.acme.example), anything else as a suffix (acme-blobs -> acme-blobs-staging).
3. `--set KEY=VALUE` overrides are applied last and win.
4. `secure:` values are dropped (they are encrypted for the source stack) and listed as the
   `pulumi config set --secret` commands to run.
"""
import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .overrides import apply_overrides
from .settings.errors import NAMESPACE, SettingsError
from .settings.loader import read_stack_file, refuse_plain_secrets, secret_placeholder, settings_from_config

# Keys whose value names something that exists once per environment: a bucket, a DNS name, a project, a server.
UNIQUE_KEYS = ("bucketName", "hostname", "host", "projectName", "dnsName", "domain")


@dataclass
class Fork:
    document: dict[str, Any]
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # (key, old, new)
    dropped_secrets: list[str] = field(default_factory=list)  # config keys, `--path` form


def _token(name: str) -> re.Pattern:
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])")


def _make_unique(value: str, dst: str) -> str:
    if "." in value and not value.replace(".", "").isdigit():
        first, rest = value.split(".", 1)
        return f"{first}.{dst}.{rest}"
    return f"{value}-{dst}"


def _rewrite(node: Any, path: str, key: str, src: str, dst: str, fork: Fork) -> Any:
    if isinstance(node, dict):
        if set(node) == {"secure"}:
            fork.dropped_secrets.append(path)
            return None
        kept = {k: _rewrite(v, f"{path}.{k}", str(k), src, dst, fork) for k, v in node.items()}
        return {k: v for k, v in kept.items() if v is not None or node[k] is None}
    if isinstance(node, list):
        return [_rewrite(v, f"{path}[{i}]", key, src, dst, fork) for i, v in enumerate(node)]
    if not isinstance(node, str) or not path.startswith(f"{NAMESPACE}:"):
        return node
    new = _token(src).sub(dst, node)
    if new == node and key in UNIQUE_KEYS:
        new = _make_unique(node, dst)
    if new != node:
        fork.renamed.append((path, node, new))
    return new


def fork_document(document: dict[str, Any], *, src_env: str, dst: str, overrides: list[str]) -> Fork:
    fork = Fork(document={})
    config = {k: _rewrite(v, k, k, src_env, dst, fork) for k, v in (document.get("config") or {}).items()}
    config = {k: v for k, v in config.items() if v is not None}
    config = apply_overrides(config, overrides)
    fork.document = {**copy.deepcopy(document), "config": config}
    return fork


def secret_commands(fork: Fork, dst: str) -> list[str]:
    commands = []
    for key in fork.dropped_secrets:
        path = f" --path '{key}'" if "." in key.split(":", 1)[-1] else f" {key}"
        commands.append(f"pulumi config set --secret{path} --stack {dst}")
    return commands


def validate_fork(fork: Fork, source: str) -> None:
    """Validate as if the dropped secrets were set again: the file is ready once the printed commands ran."""
    pending = copy.deepcopy(fork.document["config"])
    for key in fork.dropped_secrets:
        top, *rest = key.split(".")
        if not rest:
            pending[top] = secret_placeholder(key)
            continue
        node = pending.setdefault(top, {})
        for part in rest[:-1]:
            node = node.setdefault(part, {})
        node[rest[-1]] = secret_placeholder(key)
    settings_from_config(pending, source)
    refuse_plain_secrets(pending, source)


def render(fork: Fork, *, src: str, dst: str, commands: list[str]) -> str:
    header = [f"# {dst}: forked from stacks/Pulumi.{src}.yaml by `quaykit stack fork`.",
              "# Environment-unique names were rewritten (see `quaykit stack fork --help` for the rule)."]
    if commands:
        header.append("# Secrets are not copied; set them for this stack:")
        header += [f"#   {command}" for command in commands]
    body = yaml.safe_dump(fork.document, sort_keys=False, default_flow_style=False, allow_unicode=True,
                          width=float("inf"))  # a wrapped SSH key would still parse, but reads as broken
    return "\n".join(header) + "\n" + body


def source_environment(path: Path, source: str) -> str:
    env = read_stack_file(path, source).get(f"{NAMESPACE}:environment")
    if not isinstance(env, dict) or not isinstance(env.get("name"), str):
        raise SettingsError(source, f"{NAMESPACE}:environment.name", "required to fork: the token to rewrite")
    return env["name"]
