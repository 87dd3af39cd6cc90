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


def _verify_storage(args: argparse.Namespace) -> int:
    from .commands.verify import verify_storage
    return verify_storage(outputs_path=args.outputs, endpoint_url=args.endpoint_url,
                          other_bucket=args.other_bucket, skip=args.skip or [], only=args.only or [])


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

    verify = commands.add_parser("verify", help="check a deployed stack against its real endpoints")
    verify_layers = verify.add_subparsers(dest="verify_command", required=True)
    storage = verify_layers.add_parser("storage", help="act as Quay's S3 identity: what it may and may not do")
    storage.add_argument("--outputs", type=Path, metavar="FILE",
                         help="`pulumi stack output --json --show-secrets` (default: stdin)")
    storage.add_argument("--endpoint-url", metavar="URL", help="S3/IAM endpoint other than AWS (e.g. a test server)")
    storage.add_argument("--other-bucket", metavar="NAME",
                         help="an existing bucket Quay must not touch (default: the replica bucket, if any)")
    storage.add_argument("--skip", action="append", metavar="CHECK", help="leave out a check (repeatable)")
    storage.add_argument("--only", action="append", metavar="CHECK", help="run only this check (repeatable)")
    storage.set_defaults(run=_verify_storage)
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
