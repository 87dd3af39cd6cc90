"""AWS backend: Intel 8th-generation EC2 with nested virtualization (or `.metal`), the agents in an ASG.

The k3s server needs an address that survives its instance: it is one instance whose primary network interface
is a separate ENI, so its private IP (the API address Quay and Pulumi use, and the agents join) never changes.
No secret is in any user data: the join token and the server's CA keys are SSM SecureString parameters, read at
boot by each node's instance profile, which may read nothing else.
"""
import base64
import json

import pulumi
import pulumi_aws as aws

from quaykit.settings.pool import AwsPoolSettings, PoolSettings, nested_virtualization

from .bootstrap import K3S_API_PORT, K3S_TLS_DIR, TOKEN_FILE, SecretFile, build_node_user_data
from .nodes import Nodes

# Between pool members only: API, flannel VXLAN, kubelet, embedded etcd.
MEMBER_PORTS = [("tcp", K3S_API_PORT, K3S_API_PORT), ("udp", 8472, 8472), ("tcp", 10250, 10250), ("tcp", 2379, 2380)]


def security_group_rules(api_cidrs: list[str]) -> list[dict]:
    member = [{"protocol": p, "from_port": lo, "to_port": hi, "self": True, "description": "k3s between pool members"}
              for p, lo, hi in MEMBER_PORTS]
    api = {"protocol": "tcp", "from_port": K3S_API_PORT, "to_port": K3S_API_PORT, "cidr_blocks": api_cidrs,
           "description": "Kubernetes API for Quay's build manager and for pulumi"}
    return member + [api]


def parameter_read_policy(parameter_arns: list[str]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ssm:GetParameter"], "Resource": sorted(parameter_arns)}]})


class _Pool:
    """The AWS resources of one pool; a class only to share the settings among a few small steps."""

    def __init__(self, name: str, pool: PoolSettings, environment: str, region: str, parent: pulumi.Resource):
        self.name, self.pool, self.settings = name, pool, pool.aws
        self.environment, self.region = environment, region
        self.opts = pulumi.ResourceOptions(parent=parent)
        self.prefix = f"/quaykit/{environment}/buildpool"

    def parameter(self, slug: str, value: pulumi.Input[str]) -> aws.ssm.Parameter:
        return aws.ssm.Parameter(f"{self.name}-{slug.replace('/', '-').replace('.', '-')}",
                                 name=f"{self.prefix}/{slug}", type="SecureString",
                                 value=pulumi.Output.secret(value), opts=self.opts)

    def instance_profile(self, role_name: str, parameters: list[aws.ssm.Parameter]) -> aws.iam.InstanceProfile:
        assume = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
        role = aws.iam.Role(f"{self.name}-{role_name}-role", assume_role_policy=assume, opts=self.opts)
        aws.iam.RolePolicy(f"{self.name}-{role_name}-read-parameters", role=role.id,
                           policy=pulumi.Output.all(*[p.arn for p in parameters]).apply(parameter_read_policy),
                           opts=self.opts)
        return aws.iam.InstanceProfile(f"{self.name}-{role_name}", role=role.name, opts=self.opts)

    def launch_template(self, role: str, *, profile: aws.iam.InstanceProfile, user_data: pulumi.Output[str],
                        **network) -> aws.ec2.LaunchTemplate:
        settings: AwsPoolSettings = self.settings
        cpu = {"nested_virtualization": "enabled"} if nested_virtualization(settings.instance_type) else None
        return aws.ec2.LaunchTemplate(
            f"{self.name}-{role}", image_id=settings.ami, instance_type=settings.instance_type, cpu_options=cpu,
            iam_instance_profile={"arn": profile.arn},
            # IMDSv2 only; hop limit 2 so pods on the node can still reach the metadata service.
            metadata_options={"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 2},
            block_device_mappings=[{"device_name": "/dev/sda1", "ebs": {
                "volume_size": settings.volume_size_gb, "volume_type": "gp3", "encrypted": "true",
                "delete_on_termination": "true"}}],
            user_data=user_data.apply(lambda text: base64.b64encode(text.encode()).decode()),
            tag_specifications=[{"resource_type": "instance",
                                 "tags": {"Name": f"{self.environment}-builder-{role}", "quaykit:role": role}}],
            update_default_version=True, **network, opts=self.opts)

    def user_data(self, role: str, secrets: list[SecretFile], address: pulumi.Output[str]) -> pulumi.Output[str]:
        return address.apply(lambda ip: build_node_user_data(
            node_name=None, role=role, k3s_version=self.pool.k3s_version, node_label=self.pool.node_label,
            builder_image=self.pool.builder_image, secrets=secrets, region=self.region,
            server_address=ip if role == "agent" else None, tls_san=ip if role == "server" else None))


def aws_nodes(name: str, *, pool: PoolSettings, environment: str, region: str, token: pulumi.Output[str],
              server_files: dict[str, pulumi.Output[str]], parent: pulumi.Resource) -> Nodes:
    p = _Pool(name, pool, environment, region, parent)
    settings: AwsPoolSettings = pool.aws
    group = aws.ec2.SecurityGroup(f"{name}-nodes", vpc_id=settings.vpc_id, description="quaykit build pool",
                                  ingress=security_group_rules(settings.api_cidrs),
                                  egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
                                  opts=p.opts)
    api_interface = aws.ec2.NetworkInterface(f"{name}-api", subnet_id=settings.subnet_ids[0],
                                             security_groups=[group.id], description="k3s server (stable API address)",
                                             opts=p.opts)
    token_parameter = p.parameter("k3s-token", token)
    tls_parameters = {path: p.parameter("server-tls/" + path.removeprefix(K3S_TLS_DIR + "/"), content)
                      for path, content in server_files.items()}
    server_secrets = [SecretFile(TOKEN_FILE, parameter=f"{p.prefix}/k3s-token")]
    server_secrets += [SecretFile(path, parameter=f"{p.prefix}/server-tls/{path.removeprefix(K3S_TLS_DIR + '/')}")
                       for path in server_files]

    address = api_interface.private_ip
    server_template = p.launch_template(
        "server", profile=p.instance_profile("server", [token_parameter, *tls_parameters.values()]),
        user_data=p.user_data("server", server_secrets, address),
        network_interfaces=[{"network_interface_id": api_interface.id, "device_index": 0}])
    # The server is not rolled by a template change: replacing it rebuilds the cluster (README, "Build pool").
    aws.ec2.Instance(f"{name}-server", launch_template={"id": server_template.id,
                                                        "version": server_template.latest_version.apply(str)},
                     opts=pulumi.ResourceOptions(parent=parent, ignore_changes=["launchTemplate"]))

    agent_template = p.launch_template(
        "agent", profile=p.instance_profile("agent", [token_parameter]),
        user_data=p.user_data("agent", [SecretFile(TOKEN_FILE, parameter=f"{p.prefix}/k3s-token")], address),
        vpc_security_group_ids=[group.id])
    agents = pool.count - 1
    aws.autoscaling.Group(
        f"{name}-agents", min_size=agents, max_size=agents, desired_capacity=agents,
        vpc_zone_identifiers=settings.subnet_ids, health_check_type="EC2",
        launch_template={"id": agent_template.id, "version": agent_template.latest_version.apply(str)},
        # A new launch template version (a changed bootstrap) replaces agents a few at a time, never all at once.
        instance_refresh={"strategy": "Rolling",
                          "preferences": {"min_healthy_percentage": pool.rollout.min_healthy_percentage}},
        tags=[{"key": "Name", "value": f"{environment}-builder-agent", "propagate_at_launch": True}],
        opts=p.opts)
    return Nodes(addresses=pulumi.Output.all(address), api_address=address)
