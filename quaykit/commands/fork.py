"""`quaykit stack fork SRC DST [--set KEY=VALUE …] [--force]`."""
import sys

import yaml

from ..fork import fork_document, render, secret_commands, source_environment, validate_fork
from ..overrides import OverrideError
from ..settings import SettingsError
from ..stacks import display_path, load_stack, project_root, stack_file


def fork(*, src: str, dst: str, overrides: list[str], force: bool) -> int:
    if src == dst:  # even with --force: the fork would drop the stack's own secrets and rename its resources
        raise SettingsError("command line", None, f"stack fork {src} {dst}: source and destination are the same stack")
    root = project_root()
    loaded = load_stack(root, src)  # a broken source is refused with its own one line
    target = stack_file(root, dst)
    target_source = display_path(target)
    if target.exists() and not force:
        raise SettingsError(target_source, None, "already exists; pass --force to overwrite it")

    document = yaml.safe_load(stack_file(root, src).read_text(encoding="utf-8"))
    try:
        result = fork_document(document, src_env=source_environment(stack_file(root, src), loaded.source),
                               dst=dst, overrides=overrides)
    except OverrideError as exc:
        raise SettingsError("command line", None, str(exc)) from None
    validate_fork(result, target_source)
    commands = secret_commands(result, dst)
    target.write_text(render(result, src=src, dst=dst, commands=commands), encoding="utf-8")

    print(f"{target_source}: written from {loaded.source}")
    for key, old, new in result.renamed:
        print(f"  {key}: {old} -> {new}")
    if commands:
        print("secrets were not copied (they are encrypted for the source stack); set them before `pulumi up`:")
        for command in commands:
            print(f"  {command}")
    return 0
