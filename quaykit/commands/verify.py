"""`quaykit verify storage`: read a stack's outputs, act as Quay's identity, print one ✓/✗ line per check."""
import json
import sys
from pathlib import Path
from typing import Any, Optional

from ..settings import SettingsError
from ..verify.storage import CHECK_NAMES, Target, verify

REQUIRED = ("bucketName", "bucketRegion", "storagePath")


def read_outputs(path: Optional[Path]) -> tuple[str, dict[str, Any]]:
    """`pulumi stack output --json --show-secrets` from a file, or from stdin when no file (or '-') is given."""
    source = "stdin" if path is None or str(path) == "-" else str(path)
    try:
        text = sys.stdin.read() if source == "stdin" else path.read_text()
    except OSError as exc:
        raise SettingsError(source, None, f"cannot read stack outputs ({exc.strerror})") from None
    try:
        outputs = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingsError(source, None, f"not JSON stack outputs (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(outputs, dict):
        raise SettingsError(source, None, "expected the JSON object printed by `pulumi stack output --json`")
    return source, outputs


def target_from_outputs(source: str, outputs: dict[str, Any], *, endpoint_url: Optional[str],
                        other_bucket: Optional[str]) -> Target:
    for key in REQUIRED:
        if not isinstance(outputs.get(key), str) or not outputs[key]:
            raise SettingsError(source, key, f"required stack output is missing{_got(outputs.get(key))}")
    secret = outputs.get("quaySecretAccessKey")
    if outputs.get("quayAccessKeyId") and (not isinstance(secret, str) or secret == "[secret]"):
        raise SettingsError(source, "quaySecretAccessKey",
                            "missing or masked: use `pulumi stack output --json --show-secrets`")
    return Target(bucket=outputs["bucketName"], region=outputs["bucketRegion"], storage_path=outputs["storagePath"],
                  access_key_id=outputs.get("quayAccessKeyId"), secret_access_key=secret,
                  endpoint_url=endpoint_url, other_bucket=other_bucket or outputs.get("replicaBucketName"))


def _got(value: Any) -> str:
    return f" (got {value!r})" if value is not None else ""


def verify_storage(*, outputs_path: Optional[Path], endpoint_url: Optional[str], other_bucket: Optional[str],
                   skip: list[str], only: list[str]) -> int:
    unknown = sorted(set(skip + only) - set(CHECK_NAMES))
    if unknown:
        raise SettingsError("--skip/--only", None, f"unknown check {unknown[0]!r}; known: {', '.join(CHECK_NAMES)}")
    source, outputs = read_outputs(outputs_path)
    target = target_from_outputs(source, outputs, endpoint_url=endpoint_url, other_bucket=other_bucket)
    who = (f"access key {target.access_key_id}" if target.access_key_id
           else "the default AWS credential chain (IRSA/instance profile)")
    print(f"Verifying s3://{target.bucket}/{target.storage_path.strip('/')}/ in {target.region} as {who}"
          + (f" at {endpoint_url}" if endpoint_url else ""))
    results = verify(target, skip=frozenset(skip), only=frozenset(only))
    for result in results:
        print(result.line())
    failed = [r.name for r in results if r.status == "fail"]
    print(f"{len(failed)} of {len(results)} checks failed: {', '.join(failed)}" if failed
          else f"all {sum(r.status == 'pass' for r in results)} checks passed")
    return 1 if failed else 0
