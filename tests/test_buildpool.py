"""The build pool as the engine sees it: nodes per backend, KVM on every node, access for Quay, refusals."""
import json

import pytest

from cli import quaykit
from conftest import ROOT
from quaykit.preview.plan import plan_json
from quaykit.settings import SettingsError
from quaykit.stacks import load_stack_with_overrides

DEVICE = "equinix-metal:index/device:Device"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
GROUP = "aws:autoscaling/group:Group"
AWS_STAGING = ("pool.backend=aws",)


# --- Equinix Metal -----------------------------------------------------------------------------------------

def test_equinix_pool_has_one_device_per_node_with_the_configured_slugs(plan_for):
    plan = plan_for("staging", "pool.count=4")
    devices = sorted(plan.of_type(DEVICE), key=lambda r: r.name)
    assert [d.name for d in devices] == [f"pool-node-{i}" for i in range(4)]
    for device in devices:
        inputs = plan.inputs(device)
        assert (inputs["plan"], inputs["metro"], inputs["operatingSystem"]) == ("m3.small.x86", "fr", "ubuntu_24_04")
        assert inputs["userData"] == "[secret]", f"{device.urn}: user data carries the join token and CA keys"


def test_hardware_reservations_are_used_by_node_index(plan_for):
    plan = plan_for("staging", "pool.equinixMetal.hardwareReservationIds=[r-0, r-1]", "pool.count=3")
    reserved = {d.name: plan.inputs(d).get("hardwareReservationId") for d in plan.of_type(DEVICE)}
    assert reserved == {"pool-node-0": "r-0", "pool-node-1": "r-1", "pool-node-2": None}


def test_spot_market_runs_the_agents_and_keeps_the_server_on_demand(plan_for):
    plan = plan_for("staging", "pool.equinixMetal.spotMarket={devicesMin: 1, devicesMax: 4, maxBidPrice: 0.5}")
    assert [d.name for d in plan.of_type(DEVICE)] == ["pool-node-0"]
    request = plan.inputs(plan.one("equinix-metal:index/spotMarketRequest:SpotMarketRequest"), reveal=True)
    assert (request["devicesMin"], request["devicesMax"], request["maxBidPrice"]) == (1, 4, 0.5)
    assert "INSTALL_K3S_EXEC='agent'" in request["instanceParameters"]["userdata"]


@pytest.mark.parametrize("override, message", [
    ("pool.equinixMetal.metro=any", "quaykit:pool.equinixMetal.metro: must be one of"),
    ("pool.equinixMetal.plan=t1.small.x86", "quaykit:pool.equinixMetal.plan: must be one of"),
    ("pool.equinixMetal.operatingSystem=ubuntu_latest", "quaykit:pool.equinixMetal.operatingSystem: must be one of"),
    ("pool.equinixMetal.spotMarket={devicesMin: 3, devicesMax: 2, maxBidPrice: 1}",
     "quaykit:pool.equinixMetal.spotMarket.devicesMin: must be ≤ devicesMax (2) (got 3)"),
])
def test_bad_equinix_strings_are_refused_up_front(override, message):
    with pytest.raises(SettingsError) as refused:
        load_stack_with_overrides(ROOT, "dev", [override])
    assert refused.value.source.startswith("stacks/Pulumi.dev.yaml")
    assert f"{refused.value.key}: {refused.value.problem}".startswith(message), str(refused.value)


# --- AWS ---------------------------------------------------------------------------------------------------

def test_aws_pool_is_a_server_and_an_asg_of_agents_across_the_subnets(plan_for):
    plan = plan_for("prod", "pool.count=5")
    group = plan.inputs(plan.one(GROUP, "pool-agents"))
    assert group["minSize"] == group["maxSize"] == group["desiredCapacity"] == 4
    assert group["vpcZoneIdentifiers"] == ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722",
                                           "subnet-0a1b2c3d4e5f60733"]
    assert group["instanceRefresh"]["strategy"] == "Rolling"
    assert group["instanceRefresh"]["preferences"]["minHealthyPercentage"] == 50
    assert len(plan.of_type("aws:ec2/instance:Instance")) == 1


def test_every_launch_template_asks_for_nested_virtualization_and_imdsv2(plan_for):
    plan = plan_for("prod")
    templates = plan.of_type(LAUNCH_TEMPLATE)
    assert {t.name for t in templates} == {"pool-server", "pool-agent"}
    for template in templates:
        inputs = plan.inputs(template)
        assert inputs["instanceType"] == "c8i.8xlarge"
        assert inputs["cpuOptions"] == {"nestedVirtualization": "enabled"}, template.urn
        assert inputs["metadataOptions"]["httpTokens"] == "required"
        assert inputs["metadataOptions"]["httpPutResponseHopLimit"] == 2


def test_metal_instance_types_need_no_nested_virtualization(plan_for):
    plan = plan_for("prod", "pool.aws.instanceType=c6i.metal")
    for template in plan.of_type(LAUNCH_TEMPLATE):
        assert "cpuOptions" not in plan.inputs(template), template.urn


def test_security_group_opens_cluster_ports_to_members_only_and_the_api_to_the_registry(plan_for):
    plan = plan_for("prod")
    ingress = plan.inputs(plan.one("aws:ec2/securityGroup:SecurityGroup"))["ingress"]
    members = {(r["protocol"], r["fromPort"], r["toPort"]) for r in ingress if r.get("self")}
    assert members == {("tcp", 6443, 6443), ("udp", 8472, 8472), ("tcp", 10250, 10250), ("tcp", 2379, 2380)}
    outside = [r for r in ingress if not r.get("self")]
    assert [(r["fromPort"], r["toPort"], r["cidrBlocks"]) for r in outside] == [(6443, 6443, ["10.20.0.0/16", "10.99.0.0/24"])]


def test_each_instance_profile_reads_only_its_own_parameters(plan_for):
    plan = plan_for("prod")
    policies = {r.name: json.loads(plan.inputs(r)["policy"]) for r in plan.of_type("aws:iam/rolePolicy:RolePolicy")}
    agent = policies["pool-agent-read-parameters"]["Statement"]
    assert agent == [{"Effect": "Allow", "Action": ["ssm:GetParameter"],
                      "Resource": ["arn:aws:ssm:us-east-1:123456789012:parameter/quaykit/prod/buildpool/k3s-token"]}]
    server = policies["pool-server-read-parameters"]["Statement"][0]["Resource"]
    assert len(server) == 12 and all("/quaykit/prod/buildpool/" in arn for arn in server)
    for parameter in plan.of_type("aws:ssm/parameter:Parameter"):
        assert plan.inputs(parameter)["type"] == "SecureString" and plan.inputs(parameter)["value"] == "[secret]"


@pytest.mark.parametrize("override, problem", [
    ("pool.aws.instanceType=m5.large",
     "no KVM: only c8i/m8i/r8i (incl. -flex, d) offer nested virtualization, or use a .metal type (got 'm5.large')"),
    ("pool.aws.instanceType=t3.medium",
     "no KVM: only c8i/m8i/r8i (incl. -flex, d) offer nested virtualization, or use a .metal type (got 't3.medium')"),
    ("pool.aws.instanceType=m8g.2xlarge",
     "Graviton (Arm) instances cannot run the x86 builder VM; use c8i/m8i/r8i or a .metal type (got 'm8g.2xlarge')"),
    ("pool.aws.instanceType=m7a.2xlarge",
     "AMD instances have no nested virtualization on EC2; use c8i/m8i/r8i or a .metal type (got 'm7a.2xlarge')"),
    ("pool.aws.spot=true",
     "Spot instances do not support nested virtualization; set spot: false or use a .metal type (got 'c8i.8xlarge')"),
])
def test_combinations_without_kvm_are_refused_with_one_line(override, problem):
    with pytest.raises(SettingsError) as refused:
        load_stack_with_overrides(ROOT, "prod", [override])
    assert (refused.value.key, refused.value.problem) == ("quaykit:pool.aws.instanceType", problem)


@pytest.mark.parametrize("instance_type, problem", [
    ("mac2.metal", "Mac instances (Apple silicon or dedicated Mac hosts) cannot run the build pool; use c8i/m8i/r8i"),
    ("mac2-m2pro.metal",
     "Mac instances (Apple silicon or dedicated Mac hosts) cannot run the build pool; use c8i/m8i/r8i"),
    ("c8i.large", "too small: c8i.large has 4 GiB, one 4 GiB build VM needs that plus the host's 2 GiB; "
                  "use c8i.xlarge or larger"),
    ("c8i.metal", "not a bare-metal EC2 type quaykit knows (e.g. m8i.metal-48xl, c6i.metal)"),
    ("m8i-flex.24xlarge", "m8i-flex comes in large, xlarge, 2xlarge, 4xlarge, 8xlarge, 12xlarge, 16xlarge"),
    ("m8i.2xlarg", "not an EC2 instance type such as m8i.2xlarge"),
])
def test_instance_types_are_checked_by_the_pool_settings_even_without_a_capacity_block(instance_type, problem):
    with pytest.raises(SettingsError) as refused:
        load_stack_with_overrides(ROOT, "prod", [f"pool.aws.instanceType={instance_type}"])
    assert (refused.value.key, refused.value.problem) == ("quaykit:pool.aws.instanceType",
                                                          f"{problem} (got {instance_type!r})")


@pytest.mark.parametrize("instance_type", ["r8i-flex.large", "m8i-flex.2xlarge", "m8i.metal-48xl", "c8id.4xlarge",
                                           "m7i.metal-24xl", "c5.metal"])
def test_real_kvm_instance_types_are_accepted(instance_type):
    loaded = load_stack_with_overrides(ROOT, "prod", [f"pool.aws.instanceType={instance_type}"])
    assert loaded.settings.pool.aws.instance_type == instance_type


def test_the_cli_refuses_a_graviton_pool_with_exit_code_2_and_no_traceback():
    result = quaykit("preview", "--stack", "prod", "--set", "pool.aws.instanceType=c7g.large")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip().endswith("(got 'c7g.large')"), result.stderr


def test_only_stacks_on_equinix_metal_are_warned_about_its_shutdown():
    staging, prod = quaykit("preview", "--stack", "staging"), quaykit("preview", "--stack", "prod")
    assert staging.returncode == prod.returncode == 0, staging.stderr + prod.stderr
    assert "Equinix Metal was shut down on 2026-06-30" in staging.stderr
    assert "Equinix" not in prod.stderr


def test_staging_switches_backend_with_one_key(plan_for):
    assert plan_for("staging").of_type(DEVICE) and not plan_for("staging").of_type(GROUP)
    switched = plan_for("staging", *AWS_STAGING)
    assert switched.of_type(GROUP) and not switched.of_type(DEVICE)


# --- secrets and the hand-off to Quay ----------------------------------------------------------------------

def test_a_configured_join_token_never_appears_in_clear_in_the_plan(plan_for):
    token = "q7Hk2mZ9xW4vB8nR3tY6uP1sD5fG0jL"
    for stack in ("dev", "prod"):
        text = plan_json(plan_for(stack, f"pool.k3sToken={token}").run)
        assert token not in text, f"{stack}: the k3s token leaked into the plan"
        assert "PREVIEW-SECRET" not in text


def test_a_kubeadm_shaped_token_is_refused():
    with pytest.raises(SettingsError) as refused:
        load_stack_with_overrides(ROOT, "dev", ["pool.k3sToken=abcdef.0123456789abcdef"])
    assert refused.value.key == "quaykit:pool.k3sToken"
    assert refused.value.problem.startswith("must not be shaped like a kubeadm token")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_build_cluster_values_for_quay_are_exported(plan_for, stack):
    run = plan_for(stack).run
    api_server = run.outputs["buildClusterApiServer"]
    assert "://" not in api_server and api_server.endswith(":6443")
    assert run.outputs["buildClusterEndpoint"] == f"https://{api_server}"
    assert run.outputs["buildClusterCaCertificate"].startswith("-----BEGIN CERTIFICATE-----")
    assert run.outputs["builderNamespace"] == "quay-builder"
    assert run.outputs["builderNodeLabel"] == "quaykit.dev/builder=true"
    assert "builderToken" in run.secret_outputs
    assert run.outputs["builderToken"] == "PREVIEW-SECRET(generated:pool-builder-token)"
