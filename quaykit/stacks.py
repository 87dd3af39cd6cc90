"""Where the project and its stack files are, and how a stack's config is read for offline use."""
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .settings import SettingsError, StackSettings, read_stack_file, settings_from_config
from .settings.loader import contains_secret_placeholder, refuse_misplaced_secure, refuse_plain_secrets


def project_root() -> Path:
    """The folder holding Pulumi.yaml: from the working directory upwards, else this package's checkout."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "Pulumi.yaml").is_file() and (folder / "stacks").is_dir():
            return folder
    return Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class StackConfig:
    name: str
    source: str  # the stack file as the user would name it, e.g. stacks/Pulumi.dev.yaml
    config: dict[str, Any]
    secret_keys: list[str]
    settings: StackSettings


def stack_file(root: Path, stack: str) -> Path:
    return root / "stacks" / f"Pulumi.{stack}.yaml"


def known_stacks(root: Path) -> list[str]:
    return sorted(p.name[len("Pulumi."):-len(".yaml")] for p in (root / "stacks").glob("Pulumi.*.yaml"))


def display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def load_stack(root: Path, stack: str) -> StackConfig:
    path = stack_file(root, stack)
    source = display_path(path)
    if not path.is_file():
        known = ", ".join(known_stacks(root)) or "none"
        raise SettingsError(source, None, f"no such stack '{stack}' (known stacks: {known})")
    config = read_stack_file(path, source)
    secret_keys = [k for k, v in config.items() if contains_secret_placeholder(v)]
    refuse_misplaced_secure(config, source)
    settings = settings_from_config(config, source)
    refuse_plain_secrets(config, source)
    return StackConfig(stack, source, config, secret_keys, settings)


def load_stack_with_overrides(root: Path, stack: str, overrides: list[str]) -> StackConfig:
    """Load a stack file, apply `--set` overrides, and validate the result as a whole."""
    from .overrides import apply_overrides, shown

    loaded = load_stack(root, stack)
    if not overrides:
        return loaded
    config = apply_overrides(loaded.config, overrides)
    source = f"{loaded.source} (with --set {' --set '.join(shown(text) for text in overrides)})"
    # Plain text is refused in the file only: a `--set` secret is a throwaway what-if and never reaches git.
    return StackConfig(stack, source, config, loaded.secret_keys, settings_from_config(config, source))
