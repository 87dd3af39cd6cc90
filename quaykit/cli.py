"""The `quaykit` command line."""
import argparse
import sys
from pathlib import Path

from .settings import SettingsError


def _preview(args: argparse.Namespace) -> int:
    from .commands.preview import preview
    return preview(stack=args.stack, json_path=args.json, out_dir=args.out, overrides=args.set or [])


def _config_check(args: argparse.Namespace) -> int:
    from .commands.config import check
    return check(stack=args.stack, overrides=args.set or [])


def _pool_plan(args: argparse.Namespace) -> int:
    from .commands.pool import plan
    return plan(stack=args.stack, overrides=args.set or [])


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="quaykit", description="Plan, check and verify a quaykit registry platform.")
    commands = root.add_subparsers(dest="command", required=True)

    preview = commands.add_parser("preview", help="run the program offline under Pulumi's mock engine")
    preview.add_argument("--stack", required=True, help="stack name: stacks/Pulumi.NAME.yaml")
    preview.add_argument("--json", type=Path, metavar="PATH", help="write the plan as JSON")
    preview.add_argument("--out", type=Path, metavar="DIR", help="write rendered artifacts to DIR")
    preview.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config key, e.g. pool.count=3")
    preview.set_defaults(run=_preview)

    config = commands.add_parser("config", help="stack configuration").add_subparsers(dest="config_command", required=True)
    check = config.add_parser("check", help="validate a stack's config")
    check.add_argument("--stack", required=True)
    check.add_argument("--set", action="append", metavar="KEY=VALUE")
    check.set_defaults(run=_config_check)

    pool = commands.add_parser("pool", help="build pool").add_subparsers(dest="pool_command", required=True)
    pool_plan = pool.add_parser("plan", help="nodes needed and monthly cost from quaykit:capacity")
    pool_plan.add_argument("--stack", required=True)
    pool_plan.add_argument("--set", action="append", metavar="KEY=VALUE")
    pool_plan.set_defaults(run=_pool_plan)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
