"""Fork a stack file for another environment: names made unique, secrets dropped, the result validated.

The rule is FORK_RULE below (also `quaykit stack fork --help` and the README). Only values that name a
per-environment thing are touched: a region, instance type, plan, metro, issuer, image tag, version, CIDR or id
that happens to contain the environment name (us-east-1 for `us`, letsencrypt-prod for `prod`) is kept.
"""
import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .overrides import apply_overrides
from .settings.errors import NAMESPACE, SettingsError, config_key, set_secret_command
from .settings.loader import read_stack_file, refuse_plain_secrets, secret_placeholder, settings_from_config
from .settings.schema import secret_locations
from .settings.stack import StackSettings

FORK_RULE = """\
Only values that name a per-environment thing are rewritten, by key:
  names        name, *Name (bucketName, projectName, tlsSecretName, ...)
  host names   hostname, *Hostname (buildmanHostname), host, *Host
  kubeContext  and every value under environment.tags
Nothing else is touched: regions, instance types, plans, metros, issuers, images and tags, versions,
CIDRs and ids stay as they are, even when they contain SRC's name (us-east-1, letsencrypt-prod).
1. In those values, SRC's environment name as a whole token (between . - _ / or the ends) becomes DST:
   acme-quay-prod-blobs -> acme-quay-staging-blobs.
2. A bucketName, projectName, host name or kubeContext that would still equal SRC's gets DST added: a
   host name as a second label (quay.acme.example -> quay.staging.acme.example), anything else as a
   suffix (acme-blobs -> acme-blobs-staging).
3. --set overrides are applied last and win; secrets cannot be --set here (run `pulumi config set
   --secret` on the new stack instead).
`secure:` values are dropped and the `pulumi config set --secret` commands to run are printed.
SRC and DST must differ."""

# FORK_RULE as data: a key is rewritten when it equals one of these or ends with one of the suffixes.
NAME_KEYS, NAME_SUFFIXES = ("name", "kubeContext"), ("Name",)
HOST_KEYS, HOST_SUFFIXES = ("hostname", "host"), ("Hostname", "Host")
UNIQUE_KEYS = ("bucketName", "projectName", "kubeContext")  # plus every host-name key


def _matches(key: str, exact: tuple[str, ...], suffixes: tuple[str, ...]) -> bool:
    return key in exact or key.endswith(suffixes)


def is_host_key(key: str) -> bool:
    return _matches(key, HOST_KEYS, HOST_SUFFIXES)


def is_rewritten(path: str, key: str) -> bool:
    """FORK_RULE's key list: `path` is the config path (`quaykit:environment.tags.team`), `key` its last part."""
    in_tags = path.startswith(f"{NAMESPACE}:environment.tags.")
    return in_tags or is_host_key(key) or _matches(key, NAME_KEYS, NAME_SUFFIXES)


@dataclass
class Fork:
    document: dict[str, Any]
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # (key, old, new)
    dropped_secrets: list[str] = field(default_factory=list)  # config keys, `--path` form


def _token(name: str) -> re.Pattern:
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])")


def _make_unique(value: str, key: str, dst: str) -> str:
    if is_host_key(key) and "." in value and not value.replace(".", "").isdigit():
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
    if not isinstance(node, str) or not path.startswith(f"{NAMESPACE}:") or not is_rewritten(path, key):
        return node
    new = _token(src).sub(dst, node)
    if new == node and (key in UNIQUE_KEYS or is_host_key(key)):
        new = _make_unique(node, key, dst)
    if new != node:
        fork.renamed.append((path, node, new))
    return new


def _has_value(config: dict[str, Any], loc: tuple) -> bool:
    node: Any = config.get(f"{NAMESPACE}:{loc[0]}")
    for part in loc[1:]:
        node = node.get(part) if isinstance(node, dict) else None
    return node is not None


def refuse_secret_overrides(overrides: list[str], dst: str) -> None:
    """A `--set` secret would land in the new file in plain text (validation sees placeholders there): refuse it."""
    for text in overrides:
        alone = apply_overrides({}, [text])  # catches `--set registry.database={password: …}` too
        for loc in secret_locations(StackSettings):
            if _has_value(alone, loc):
                key = config_key(loc)
                raise SettingsError("command line", key, f"is a secret and `stack fork` writes no secrets; after the "
                                                         f"fork run: {set_secret_command(key, f'Pulumi.{dst}.yaml')}")


def fork_document(document: dict[str, Any], *, src_env: str, dst: str, overrides: list[str]) -> Fork:
    refuse_secret_overrides(overrides, dst)
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
