"""Rendered artifacts of a preview, as files a reviewer or a validator can read.

Offline every secret is already a visible placeholder (secure config becomes PREVIEW-SECRET(key), generated
secrets PREVIEW-SECRET(generated:name)), so artifacts show the structure without any real secret.
"""
import base64
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator

import yaml

from ..stacks import display_path
from .engine import ProgramRun, Recorded
from .plan import normalise

K8S_PREFIX = "kubernetes:"
MARKER = ".quaykit-artifacts"
MARKER_TEXT = "Written by `quaykit preview --out`; the next run replaces this whole directory.\n"


def _provider_names(run: ProgramRun) -> dict[str, str]:
    return {r.urn: r.name for r in run.resources if r.type.startswith("pulumi:providers:")}


def kubernetes_objects(run: ProgramRun) -> Iterator[tuple[str, dict[str, Any]]]:
    """(cluster, object) for every Kubernetes object; the cluster is its provider's name."""
    providers = _provider_names(run)
    for r in run.resources:
        if r.custom and r.type.startswith(K8S_PREFIX):
            # A provider reference is "<provider urn>::<provider id>".
            cluster = providers.get(r.provider.rsplit("::", 1)[0], "default") if r.provider else "default"
            yield cluster, normalise(r.inputs, reveal=True)


def quay_config(run: ProgramRun) -> str | None:
    for _, obj in kubernetes_objects(run):
        if obj.get("kind") == "Secret" and "config.yaml" in (obj.get("stringData") or {}):
            return obj["stringData"]["config.yaml"]
    return None


def node_user_data(resource: Recorded) -> str | None:
    inputs = normalise(resource.inputs, reveal=True)
    if resource.type == "equinix-metal:index/device:Device":
        return inputs.get("userData")
    if resource.type == "aws:ec2/launchTemplate:LaunchTemplate" and inputs.get("userData"):
        return base64.b64decode(inputs["userData"]).decode()
    return None


def _object_file(cluster: str, obj: dict[str, Any]) -> Path:
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace") or "_cluster"
    return Path("kubernetes") / cluster / namespace / f"{obj.get('kind', 'Object').lower()}-{meta.get('name', 'unnamed')}.yaml"


KUBECTL_FIRST = ("apiVersion", "kind", "metadata")


def kubectl_order(value: Any, top: bool = True) -> Any:
    """Keys in a stable, familiar order: apiVersion, kind, metadata first, then alphabetical at every level.

    The engine hands inputs over as protobuf Structs, whose key order varies from run to run."""
    if isinstance(value, dict):
        first = [k for k in KUBECTL_FIRST if top and k in value]
        rest = sorted(k for k in value if k not in first)
        return {k: kubectl_order(value[k], top=False) for k in first + rest}
    if isinstance(value, list):
        return [kubectl_order(v, top=False) for v in value]
    return value


PREVIEW_NOTICE = """\
Artifacts of `quaykit preview --stack {stack}`: the real program run offline under Pulumi's mock engine.
Nothing was deployed. Provider outputs here are plausible fakes (ids, ARNs, IP addresses from documentation
ranges, access key ids), and every secret is a visible placeholder: PREVIEW-SECRET(<config key>) for a
`secure:` stack value, PREVIEW-SECRET(generated:<resource>) for a secret Pulumi generates at `pulumi up`.
"""


def artifact_files(run: ProgramRun) -> dict[Path, str]:
    files: dict[Path, str] = {Path("README.txt"): PREVIEW_NOTICE.format(stack=run.stack)}
    for cluster, obj in kubernetes_objects(run):
        files[_object_file(cluster, obj)] = yaml.safe_dump(kubectl_order(obj), sort_keys=False)
    config = quay_config(run)
    if config is not None:
        files[Path("quay") / "config.yaml"] = config
    for r in run.resources:
        user_data = node_user_data(r)
        if user_data is not None:
            files[Path("build-nodes") / f"{r.name}.user-data.yaml"] = user_data
    return files


def out_dir_problem(out_dir: Path, *, keep: dict[Path, str]) -> str | None:
    """Why `out_dir` may not be replaced whole, or None. Only a directory quaykit wrote (it holds MARKER) is
    ever deleted: `--out .` once wiped a checkout. `keep` names paths that must survive (project root, cwd, --json)."""
    target = out_dir.resolve()
    for path, name in keep.items():
        kept = path.resolve()
        if kept == target or target in kept.parents:
            return f"would delete {name}; choose a directory of its own, e.g. build/<stack>"
    for folder in (target, *target.parents):
        if folder.exists() and not folder.is_dir():
            return "is a file, not a directory" if folder == target else f"{display_path(folder)} is a file"
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        return (f"exists and was not written by quaykit (no {MARKER} file); "
                "empty it or choose another directory")
    return None


def write_artifacts(run: ProgramRun, out_dir: Path) -> int:
    """Write all artifacts, replacing `out_dir` whole and only once everything is rendered.

    The caller checks `out_dir_problem` first; the marker makes the next run's replacement safe."""
    files = artifact_files(run)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        for path, text in {**files, Path(MARKER): MARKER_TEXT}.items():
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staging.rename(out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return len(files)
