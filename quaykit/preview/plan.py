"""The plan file: what the program declared, secrets masked, ordered so two runs give identical bytes."""
import json
from typing import Any

from pulumi.runtime import rpc

from .engine import ProgramRun, Recorded

SECRET = "[secret]"


def normalise(value: Any, *, reveal: bool = False) -> Any:
    """Secrets become "[secret]" (or their value when `reveal`); integral floats (the wire has only doubles) become ints."""
    if rpc.is_rpc_secret(value):
        return normalise(rpc.unwrap_rpc_secret(value), reveal=reveal) if reveal else SECRET
    if isinstance(value, dict):
        return {k: normalise(v, reveal=reveal) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalise(v, reveal=reveal) for v in value]
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
                       "inputs": normalise(r.inputs)} for r in resources],
        "outputs": {k: SECRET if k in run.secret_outputs else normalise(v) for k, v in sorted(run.outputs.items())},
    }


def plan_json(run: ProgramRun) -> str:
    return json.dumps(plan_document(run), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
