"""The program itself, for every shipped stack: it runs, composes three layers, parents and wires providers."""
import pytest

from conftest import SHIPPED_STACKS

COMPONENTS = {"quaykit:storage:RegistryStorage", "quaykit:registry:QuayRegistry", "quaykit:buildpool:BuildPool"}
EXPORTS = {"registryUrl", "bucketName", "bucketRegion", "buildNodeAddresses", "buildClusterEndpoint"}


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_every_shipped_stack_composes_the_three_layers(plan_for, stack):
    plan = plan_for(stack)
    assert COMPONENTS <= {r.type for r in plan.resources}
    assert EXPORTS <= set(plan.run.outputs), f"missing exports: {EXPORTS - set(plan.run.outputs)}"


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_every_resource_is_parented_under_its_layer(plan_for, stack):
    plan = plan_for(stack)
    components = {r.urn for r in plan.resources if r.type in COMPONENTS}
    for r in plan.resources:
        if r.custom and not r.type.startswith("pulumi:providers:"):
            top = r
            while top.parent and top.parent not in components:
                top = plan.by_urn(top.parent)
            assert top.parent in components, f"{r.urn} is not under a quaykit component"


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_providers_handed_to_a_component_reach_its_children(plan_for, stack):
    # pulumi/pulumi#12161: a provider passed to a component must reach every child.
    plan = plan_for(stack)
    aws_provider = plan.one("pulumi:providers:aws").urn
    cluster = plan.one("pulumi:providers:kubernetes", "registry-cluster").urn
    for r in plan.resources:
        if r.type.startswith("aws:"):
            assert r.provider.startswith(aws_provider + "::"), f"{r.urn} uses {r.provider or 'the default provider'}"
        if r.type.startswith("kubernetes:") and "registry" in r.urn:
            assert r.provider.startswith(cluster + "::"), f"{r.urn} uses {r.provider or 'the default provider'}"


def test_dev_exports_what_users_need(plan_for):
    outputs = plan_for("dev").run.outputs
    assert outputs["registryUrl"] == "https://quay.dev.acme.example"
    assert outputs["bucketName"] == "acme-quay-dev-blobs"
    assert outputs["bucketRegion"] == "us-east-1"
    assert len(outputs["buildNodeAddresses"]) == 1
    assert outputs["buildClusterEndpoint"] == f"https://{outputs['buildNodeAddresses'][0]}:6443"


def test_the_access_key_secret_is_exported_as_a_secret(plan_for):
    run = plan_for("dev").run
    assert "quaySecretAccessKey" in run.secret_outputs


def test_prod_has_three_replicas_and_three_build_nodes(plan_for):
    plan = plan_for("prod")
    deployment = plan.one("kubernetes:apps/v1:Deployment", "registry-quay")
    assert plan.inputs(deployment)["spec"]["replicas"] >= 3
    # prod builds on AWS: the k3s server plus the agents' Auto Scaling group.
    agents = plan.inputs(plan.one("aws:autoscaling/group:Group", "pool-agents"))["desiredCapacity"]
    assert 1 + agents >= 3


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_the_registry_cluster_is_pinned_to_the_stacks_kube_context(plan_for, stack):
    # Never deploy to whichever kubeconfig context happens to be current.
    plan = plan_for(stack)
    provider = plan.inputs(plan.one("pulumi:providers:kubernetes", "registry-cluster"))
    assert provider["context"] == f"acme-quay-{stack}"
    assert plan_for(stack, "registry.kubeContext=other").inputs(
        plan_for(stack, "registry.kubeContext=other").one("pulumi:providers:kubernetes", "registry-cluster"))["context"] == "other"
