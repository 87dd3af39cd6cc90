"""Every Kubernetes object of every shipped stack validates in strict mode against real Kubernetes schemas.

Objects are taken from the recorded plan exactly as the engine received them (secrets revealed as their offline
placeholders, integral floats back to ints). ServiceMonitor is a CRD with no schema in kubernetes-validate: it is
checked against the small schema below, which covers the fields quaykit sets.
"""
import copy

import jsonschema
import kubernetes_validate
import pytest

from conftest import SHIPPED_STACKS
from quaykit.preview.artifacts import kubernetes_objects
from test_registry import AWS_DATASTORES

# The oldest release quaykit supports and the newest whose schemas kubernetes-validate carries.
KUBERNETES_VERSIONS = ("1.33.0", kubernetes_validate.utils.latest_version())
CRD_SCHEMAS = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"): {
        "type": "object", "additionalProperties": False, "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"const": "monitoring.coreos.com/v1"}, "kind": {"const": "ServiceMonitor"},
            "metadata": {"type": "object", "required": ["name", "namespace"]},
            "spec": {"type": "object", "additionalProperties": False, "required": ["selector", "endpoints"],
                     "properties": {
                         "selector": {"type": "object", "required": ["matchLabels"]},
                         "endpoints": {"type": "array", "minItems": 1, "items": {
                             "type": "object", "additionalProperties": False, "required": ["port"],
                             "properties": {"port": {"type": "string"},
                                            "interval": {"type": "string", "pattern": "^[0-9]+(s|m)$"}}}}}},
        },
    },
}
VARIANTS = [(stack, ()) for stack in SHIPPED_STACKS] + [("prod", AWS_DATASTORES)]
VARIANT_IDS = [*SHIPPED_STACKS, "prod+aws-datastores"]


def validate(obj: dict, version: str) -> None:
    crd = CRD_SCHEMAS.get((obj.get("apiVersion"), obj.get("kind")))
    if crd is not None:
        jsonschema.validate(obj, crd)
    else:
        kubernetes_validate.validate(obj, version, strict=True)


def _describe(obj: dict) -> str:
    return f"{obj.get('kind')} {obj.get('metadata', {}).get('namespace')}/{obj.get('metadata', {}).get('name')}"


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("stack,overrides", VARIANTS, ids=VARIANT_IDS)
def test_every_object_validates_strictly(plan_for, stack, overrides, version):
    objects = [obj for _, obj in kubernetes_objects(plan_for(stack, *overrides).run)]
    assert len(objects) >= 10, "the registry layer declares far more objects than this"
    failures = []
    for obj in objects:
        try:
            validate(obj, version)
        except (kubernetes_validate.utils.ValidationError, jsonschema.ValidationError) as exc:
            failures.append(f"{_describe(obj)}: {exc.message} at {'/'.join(map(str, exc.path))}")
    assert not failures, "\n".join(failures)


def test_strict_validation_rejects_a_misspelt_field(plan_for):
    plan = plan_for("prod")
    deployment = next(obj for _, obj in kubernetes_objects(plan.run) if obj["kind"] == "Deployment")
    broken = copy.deepcopy(deployment)
    broken["spec"]["template"]["spec"]["containers"][0]["securityContex"] = {}
    with pytest.raises(kubernetes_validate.utils.ValidationError):
        validate(broken, KUBERNETES_VERSIONS[-1])
    monitor = next(obj for _, obj in kubernetes_objects(plan.run) if obj["kind"] == "ServiceMonitor")
    broken = copy.deepcopy(monitor)
    broken["spec"]["endpoints"][0]["prot"] = "metrics"
    with pytest.raises(jsonschema.ValidationError):
        validate(broken, KUBERNETES_VERSIONS[-1])
