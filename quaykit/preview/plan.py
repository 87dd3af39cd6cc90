"""The plan file: what the program declared, secrets fingerprinted, ordered so two runs give identical bytes."""
import functools
import hashlib
import hmac
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Optional

from pulumi.runtime import rpc

from .engine import ProgramRun, Recorded

SECRET = "[secret]"  # a masked secret; plans made before fingerprints hold only this, so `diff` cannot compare it


def fingerprint_key_path() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "quaykit" / "fingerprint.key"


@functools.lru_cache(maxsize=1)
def fingerprint_key() -> bytes:
    """This user's random key, created 0600 on first use: plans made here compare, a plan file alone reveals nothing."""
    path = fingerprint_key_path()
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".fingerprint-")  # mkstemp creates it 0600
            try:
                os.write(fd, os.urandom(32))
                os.close(fd)
                try:
                    os.link(tmp, path)  # atomic: a concurrent run either wins or reads the winner's complete key
                except FileExistsError:
                    pass
            finally:
                os.unlink(tmp)
        return path.read_bytes()
    except OSError as exc:
        print(f"warning: cannot keep the secret fingerprint key at {path} ({exc.strerror}); secrets in this plan "
              f"cannot be compared with another plan", file=sys.stderr)
        return os.urandom(32)


def fingerprint(value: Any) -> str:
    """"[secret:<16 hex>]": an HMAC-SHA256 of the value's canonical JSON under this user's key, never the value."""
    canonical = json.dumps(normalise(value, reveal=True), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hmac.new(fingerprint_key(), canonical.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"[secret:{digest[:16]}]"


def normalise(value: Any, *, reveal: bool = False, mask: Optional[Callable[[Any], str]] = None) -> Any:
    """Secrets become "[secret]" (`mask(value)` when given, the value when `reveal`); integral floats (the wire has
    only doubles) become ints."""
    if rpc.is_rpc_secret(value):
        if reveal:
            return normalise(rpc.unwrap_rpc_secret(value), reveal=True)
        return mask(rpc.unwrap_rpc_secret(value)) if mask else SECRET
    if isinstance(value, dict):
        return {k: normalise(v, reveal=reveal, mask=mask) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalise(v, reveal=reveal, mask=mask) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def provider_package(resource_type: str) -> str:
    """'aws:s3/bucket:Bucket' -> 'aws'; 'pulumi:providers:kubernetes' -> 'kubernetes'."""
    if resource_type.startswith("pulumi:providers:"):
        return resource_type.rsplit(":", 1)[1]
    return resource_type.split(":", 1)[0]


def is_provider(resource: Recorded) -> bool:
    return resource.type.startswith("pulumi:providers:")


def managed(run: ProgramRun) -> list[Recorded]:
    """Resources a provider manages: custom resources that are not provider instances."""
    return [r for r in run.resources if r.custom and not is_provider(r)]


def plan_document(run: ProgramRun) -> dict[str, Any]:
    resources = sorted(run.resources, key=lambda r: r.urn)
    return {
        "project": run.project,
        "stack": run.stack,
        "resources": [{"urn": r.urn, "type": r.type, "name": r.name, "parent": r.parent or None,
                       "inputs": normalise(r.inputs, mask=fingerprint)} for r in resources],
        "outputs": {k: fingerprint(v) if k in run.secret_outputs else normalise(v, mask=fingerprint)
                    for k, v in sorted(run.outputs.items())},
    }


def plan_json(run: ProgramRun) -> str:
    return json.dumps(plan_document(run), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
