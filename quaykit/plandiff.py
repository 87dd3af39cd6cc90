"""Compare two plan files (`quaykit preview --json`): what would be created, deleted, updated or replaced."""
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Input paths a provider cannot change in place: a change deletes and recreates the resource.
# Keys are the paths as the engine receives inputs (camelCase); a path also covers everything below it.
REPLACED_ON_CHANGE: dict[str, tuple[str, ...]] = {
    "aws:s3/bucket:Bucket": ("bucket", "bucketPrefix"),
    "aws:s3/bucketV2:BucketV2": ("bucket", "bucketPrefix"),
    "aws:s3/bucketPolicy:BucketPolicy": ("bucket",),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ("bucket",),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ("bucket",),
    "aws:s3/bucketVersioning:BucketVersioning": ("bucket",),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ("bucket",),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": ("bucket",),
    "aws:iam/policy:Policy": ("name", "namePrefix", "path"),
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": ("user", "policyArn"),
    "aws:iam/accessKey:AccessKey": ("user", "pgpKey"),
    "aws:iam/role:Role": ("name", "namePrefix"),
    "aws:ec2/instance:Instance": ("ami", "instanceType", "userData", "availabilityZone", "subnetId"),
    # equinix/terraform-provider-equinix#159: a user_data edit recreates every device at once.
    "equinix-metal:index/device:Device": ("plan", "metro", "operatingSystem", "userData", "projectId",
                                          "facilities", "hardwareReservationId"),
    "equinix-metal:index/projectSshKey:ProjectSshKey": ("publicKey", "projectId"),
    "random:index/randomPassword:RandomPassword": ("*",),
    "random:index/randomString:RandomString": ("*",),
    "random:index/randomId:RandomId": ("*",),
    "kubernetes:apps/v1:Deployment": ("spec.selector",),
    "kubernetes:apps/v1:StatefulSet": ("spec.selector", "spec.serviceName", "spec.volumeClaimTemplates"),
    "kubernetes:batch/v1:Job": ("spec.template",),
    "kubernetes:core/v1:Service": ("spec.clusterIP",),
    "kubernetes:core/v1:PersistentVolumeClaim": ("spec.storageClassName", "spec.accessModes"),
}
# Every Kubernetes object is identified by name and namespace.
KUBERNETES_IDENTITY = ("metadata.name", "metadata.namespace")
# Changes that apply in place but do not reach what already runs: say so next to the change.
NOT_ROLLED_OUT: dict[str, tuple[str, str]] = {
    "aws:autoscaling/group:Group": ("launchTemplate", "running instances keep the old template unless "
                                                      "instanceRefresh is set"),
}


# What `quaykit preview --json` writes for a secret: "[secret:<fingerprint>]"; plans from before fingerprints
# hold "[secret]", which says nothing about the value.
UNFINGERPRINTED = "[secret]"


class PlanError(ValueError):
    pass


def is_secret(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("[secret") and value.endswith("]")


@dataclass
class Change:
    op: str  # "+", "-", "~"
    type: str
    name: str
    paths: list[str] = field(default_factory=list)
    secret_paths: list[str] = field(default_factory=list)  # the changed paths whose values are secret fingerprints
    uncomparable: list[str] = field(default_factory=list)  # "[secret]" in one plan: no way to tell
    replaced_by: list[str] = field(default_factory=list)  # the changed paths that force replacement
    note: str = ""


def _shape_problem(plan: Any) -> str:
    """What keeps `plan` from being a plan file, or "": a hand-made file gets one line, not a traceback."""
    if not isinstance(plan, dict) or not isinstance(plan.get("resources"), list):
        return "no list of resources"
    if not isinstance(plan.get("outputs", {}), (dict, type(None))):
        return "outputs is not an object"
    for i, resource in enumerate(plan["resources"]):
        if not isinstance(resource, dict):
            return f"resources[{i}] is not an object"
        for key in ("urn", "type", "name"):
            if not isinstance(resource.get(key), str):
                return f"resources[{i}].{key} is not a string"
        if not isinstance(resource.get("inputs", {}), (dict, type(None))):
            return f"resources[{i}].inputs is not an object"
    return ""


def read_plan(path: Path) -> dict[str, Any]:
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PlanError(f"{path}: cannot read a plan ({exc.__class__.__name__}: {exc})") from None
    problem = _shape_problem(plan)
    if problem:
        raise PlanError(f"{path}: not a plan file ({problem}; expected the JSON `quaykit preview --json` writes)")
    return plan


def resource_key(urn: str) -> str:
    """The URN without stack and project, so plans of two stacks can be compared too."""
    parts = urn.split("::", 2)
    return parts[2] if len(parts) == 3 else urn


def compared_paths(old: Any, new: Any, prefix: str = "") -> list[tuple[str, str]]:
    """(path, how) for every difference: how is "changed", "secret changed" or "cannot compare"."""
    if isinstance(old, dict) and isinstance(new, dict):
        paths = []
        for key in sorted(set(old) | set(new)):
            paths += compared_paths(old.get(key), new.get(key), f"{prefix}.{key}" if prefix else str(key))
        return paths
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [p for i, (a, b) in enumerate(zip(old, new)) for p in compared_paths(a, b, f"{prefix}[{i}]")]
    if old == new:
        return []
    path = prefix or "(inputs)"
    if UNFINGERPRINTED in (old, new) and None not in (old, new):
        return [(path, "cannot compare")]
    return [(path, "secret changed" if is_secret(old) and is_secret(new) else "changed")]


def changed_paths(old: Any, new: Any) -> list[str]:
    return [path for path, how in compared_paths(old, new) if how != "cannot compare"]


def _covers(rule: str, path: str) -> bool:
    return rule == "*" or path == rule or path.startswith((rule + ".", rule + "["))


def replacing_paths(resource_type: str, paths: list[str]) -> list[str]:
    rules = REPLACED_ON_CHANGE.get(resource_type, ())
    if resource_type.startswith("kubernetes:"):
        rules += KUBERNETES_IDENTITY
    return [p for p in paths if any(_covers(rule, p) for rule in rules)]


def _note(resource_type: str, paths: list[str]) -> str:
    rule = NOT_ROLLED_OUT.get(resource_type)
    return rule[1] if rule and any(_covers(rule[0], p) for p in paths) else ""


def diff_plans(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    before = {resource_key(r["urn"]): r for r in old["resources"]}
    after = {resource_key(r["urn"]): r for r in new["resources"]}
    changes = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if a is None:
            changes.append(Change("+", b["type"], b["name"]))
        elif b is None:
            changes.append(Change("-", a["type"], a["name"]))
        else:
            compared = compared_paths(a.get("inputs", {}), b.get("inputs", {}))
            paths = [p for p, how in compared if how != "cannot compare"]
            if compared:
                changes.append(Change("~" if paths else "?", b["type"], b["name"], paths,
                                      [p for p, how in compared if how == "secret changed"],
                                      [p for p, how in compared if how == "cannot compare"],
                                      replacing_paths(b["type"], paths), _note(b["type"], paths)))
    return changes


def changed_outputs(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The changed outputs, and those that cannot be compared (a secret masked without a fingerprint)."""
    a, b = old.get("outputs") or {}, new.get("outputs") or {}
    compared = {(k, how == "cannot compare") for k in set(a) | set(b) for _, how in compared_paths(a.get(k), b.get(k))}
    return sorted(k for k, unknown in compared if not unknown), sorted(k for k, unknown in compared if unknown)


def summary(changes: list[Change]) -> str:
    changes = [c for c in changes if c.op != "?"]
    counts = {"create": sum(c.op == "+" for c in changes), "update": sum(c.op == "~" and not c.replaced_by for c in changes),
              "replace": sum(bool(c.replaced_by) for c in changes), "delete": sum(c.op == "-" for c in changes)}
    return ", ".join(f"{n} to {what}" for what, n in counts.items())
