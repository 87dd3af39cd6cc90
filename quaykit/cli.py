"""The `quaykit` command line."""
import argparse
import sys
from pathlib import Path

from .fork import FORK_RULE
from .settings import SettingsError


def _preview(args: argparse.Namespace) -> int:
    from .commands.preview import preview
    try:
        return preview(stack=args.stack, json_path=args.json, out_dir=args.out, overrides=args.set or [],
                       against=args.against, fmt=args.format)
    except SettingsError:
        raise
    except Exception as exc:  # a bug, not a user mistake: one line unless asked for the traceback
        if args.debug:
            raise
        message = " ".join(str(exc).split())
        print(f"error: internal error: {type(exc).__name__}: {message} (rerun with --debug)", file=sys.stderr)
        return 1


def _config_check(args: argparse.Namespace) -> int:
    from .commands.config import check
    return check(stack=args.stack, overrides=args.set or [])


def _pool_plan(args: argparse.Namespace) -> int:
    from .commands.pool import plan
    return plan(stack=args.stack, overrides=args.set or [], check=args.check)


def _verify_storage(args: argparse.Namespace) -> int:
    from .commands.verify import verify_storage
    return verify_storage(outputs_path=args.outputs, endpoint_url=args.endpoint_url,
                          other_bucket=args.other_bucket, skip=args.skip or [], only=args.only or [])


def _config_docs(args: argparse.Namespace) -> int:
    from .commands.docs import docs
    return docs(readme=args.readme, check_only=args.check)


def _stack_fork(args: argparse.Namespace) -> int:
    from .commands.fork import fork
    return fork(src=args.src, dst=args.dst, overrides=args.set or [], force=args.force)


def _diff(args: argparse.Namespace) -> int:
    from .commands.diff import diff
    return diff(old_path=args.old, new_path=args.new, fmt=args.format)


def _backend_bootstrap(args: argparse.Namespace) -> int:
    from .commands.backend import bootstrap
    return bootstrap(url=args.url, region=args.region, endpoint_url=args.endpoint_url)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="quaykit", description="Plan, check and verify a quaykit registry platform.")
    commands = root.add_subparsers(dest="command", required=True)

    preview = commands.add_parser("preview", help="run the program offline under Pulumi's mock engine")
    preview.add_argument("--stack", required=True, help="stack name: stacks/Pulumi.NAME.yaml")
    preview.add_argument("--json", type=Path, metavar="PATH", help="write the plan as JSON")
    preview.add_argument("--out", type=Path, metavar="DIR", help="write rendered artifacts to DIR")
    preview.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config key, e.g. pool.count=3")
    preview.add_argument("--against", metavar="GIT_REF",
                         help="also plan GIT_REF's revision in a temporary git worktree and print the diff")
    preview.add_argument("--format", choices=("text", "markdown"), default="text", help="diff format for --against")
    preview.add_argument("--debug", action="store_true", help="show the traceback of an internal error")
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
    pool_plan.add_argument("--check", action="store_true", help="exit 1 when the configured pool.count is not enough")
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

    docs = config.add_parser("docs", help="print the configuration reference generated from the settings schema")
    docs.add_argument("--readme", type=Path, metavar="PATH", help="rewrite the reference section of PATH in place")
    docs.add_argument("--check", action="store_true", help="with --readme: exit 1 if PATH is stale, change nothing")
    docs.set_defaults(run=_config_docs)

    stack = commands.add_parser("stack", help="stack files").add_subparsers(dest="stack_command", required=True)
    fork = stack.add_parser("fork", help="write stacks/Pulumi.DST.yaml from SRC for another environment",
                            description=FORK_RULE, formatter_class=argparse.RawDescriptionHelpFormatter)
    fork.add_argument("src")
    fork.add_argument("dst")
    fork.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a key in the new stack")
    fork.add_argument("--force", action="store_true", help="overwrite an existing stacks/Pulumi.DST.yaml")
    fork.set_defaults(run=_stack_fork)

    diff = commands.add_parser("diff", help="compare two plan files; exit 0 = no changes, 2 = changes, 1 = error")
    diff.add_argument("old", type=Path)
    diff.add_argument("new", type=Path)
    diff.add_argument("--format", choices=("text", "markdown"), default="text")
    diff.set_defaults(run=_diff)

    backend = commands.add_parser("backend", help="self-managed Pulumi state").add_subparsers(
        dest="backend_command", required=True)
    boot = backend.add_parser("bootstrap", help="create the S3 state bucket (idempotent)")
    boot.add_argument("url", metavar="s3://BUCKET")
    boot.add_argument("--region", required=True)
    boot.add_argument("--endpoint-url", help="an S3-compatible endpoint (tests use a local moto server)")
    boot.set_defaults(run=_backend_bootstrap)
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
