"""Inside the build cluster: the builder namespace, account and token Quay uses, valid for Kubernetes."""
import base64
import json

import kubernetes_validate
import pytest

from cli import quaykit
from conftest import SHIPPED_STACKS
from quaykit.preview.artifacts import kubernetes_objects

BUILD_CLUSTER = "pool-build-cluster"
KUBERNETES_VERSION = "1.33.0"  # the minor of the pinned k3s (v1.33.5+k3s1)


def builder_objects(plan) -> dict[str, dict]:
    return {obj["kind"]: obj for cluster, obj in kubernetes_objects(plan.run) if cluster == BUILD_CLUSTER}


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_builder_objects_pass_strict_kubernetes_schema_validation(plan_for, stack):
    objects = builder_objects(plan_for(stack))
    assert set(objects) == {"Namespace", "ServiceAccount", "Role", "RoleBinding", "Secret"}
    for kind, obj in objects.items():
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def test_strict_validation_would_catch_a_misspelt_field():
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "x", "namespace": "y"}, "rules": [{"apiGroup": ["batch"], "verbs": ["get"]}]}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(role, KUBERNETES_VERSION, strict=True)


def test_builder_namespace_admits_privileged_pods(plan_for):
    labels = builder_objects(plan_for("dev"))["Namespace"]["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "privileged"


def test_quay_token_can_do_exactly_what_its_executor_does(plan_for):
    objects = builder_objects(plan_for("prod"))
    rules = {(tuple(r["apiGroups"]), tuple(r["resources"])): set(r["verbs"]) for r in objects["Role"]["rules"]}
    assert rules == {(("batch",), ("jobs",)): {"create", "list", "get", "watch", "delete"},
                     (("",), ("pods",)): {"deletecollection", "get", "list", "watch"}}
    binding = objects["RoleBinding"]
    assert binding["roleRef"]["name"] == objects["Role"]["metadata"]["name"]
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "quay-builder", "namespace": "quay-builder"}]
    secret = objects["Secret"]
    assert secret["type"] == "kubernetes.io/service-account-token"
    assert secret["metadata"]["annotations"]["kubernetes.io/service-account.name"] == "quay-builder"


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_builder_objects_go_to_the_build_cluster_through_its_own_provider(plan_for, stack):
    plan = plan_for(stack)
    provider = plan.one("pulumi:providers:kubernetes", BUILD_CLUSTER)
    assert plan.inputs(provider)["kubeconfig"] == "[secret]", "the kubeconfig carries the admin client key"
    pool_objects = [r for r in plan.resources if r.type.startswith("kubernetes:") and r.name.startswith("pool-")]
    assert len(pool_objects) == 5
    for r in pool_objects:
        assert r.provider.startswith(provider.urn + "::"), f"{r.urn} uses {r.provider or 'the default provider'}"


def test_the_kubeconfig_trusts_the_pulumi_made_server_ca_and_uses_the_admin_certificate(plan_for):
    plan = plan_for("prod")
    config = json.loads(plan.inputs(plan.one("pulumi:providers:kubernetes", BUILD_CLUSTER), reveal=True)["kubeconfig"])
    cluster = config["clusters"][0]["cluster"]
    assert cluster["server"] == f"https://{plan.run.outputs['buildClusterApiServer']}"
    assert base64.b64decode(cluster["certificate-authority-data"]).decode() == plan.run.outputs["buildClusterCaCertificate"]
    admin = plan.inputs(plan.one("tls:index/certRequest:CertRequest", "pool-admin"))["subject"]
    assert admin["organization"] == "system:masters"


@pytest.mark.parametrize("key, value", [("registry.hostname", "quay.dev.acme.example:8443"),
                                        ("registry.builds.buildmanHostname", "b.acme.example:99999"),
                                        ("registry.builds.buildmanHostname", "buildman.quay.dev.acme.example:443")])
def test_a_host_name_with_a_port_is_refused_since_both_become_ingress_hosts(key, value, tmp_path):
    # Build VMs dial buildmanHostname:443 (BUILDMAN_HOSTNAME); a port here gave `…:99999:443` and a bad Ingress.
    result = quaykit("preview", "--stack", "dev", "--set", f"{key}={value}", "--out", str(tmp_path / "out"))
    assert result.returncode == 2, result.stdout
    assert result.stderr == (f"error: stacks/Pulumi.dev.yaml (with --set {key}={value}): quaykit:{key}: remove the "
                             f"port: Ingress hosts are plain DNS names; TLS is on 443 (got {value!r})\n")
    assert not (tmp_path / "out").exists()
