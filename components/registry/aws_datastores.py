"""PostgreSQL on RDS and Redis on ElastiCache for Quay, in the private network of the registry's cluster (mode aws).

The AWS provider (and its default tags) reaches these children through the component's `providers`.
"""
import pulumi
import pulumi_aws as aws
import pulumi_random as random

from quaykit.settings.registry import AwsNetworkSettings, DatabaseSettings, RedisSettings

from .datastores import Endpoint

POSTGRES_PORT, REDIS_PORT = 5432, 6379


def _access(name: str, *, network: AwsNetworkSettings, port: int, what: str,
            parent: pulumi.Resource) -> aws.ec2.SecurityGroup:
    """Only the CIDRs that run Quay may reach the server; it opens no connection itself."""
    return aws.ec2.SecurityGroup(
        f"{name}-access", vpc_id=network.vpc_id, description=f"Quay clients to {what}",
        ingress=[{"protocol": "tcp", "from_port": port, "to_port": port, "cidr_blocks": list(network.client_cidrs)}],
        egress=[], opts=pulumi.ResourceOptions(parent=parent))


def _password(name: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    # RDS and ElastiCache refuse some punctuation in passwords; letters and digits are always accepted.
    return random.RandomPassword(name, length=40, special=False, opts=pulumi.ResourceOptions(parent=parent)).result


def rds_postgres(name: str, *, settings: DatabaseSettings, network: AwsNetworkSettings,
                 parent: pulumi.Resource) -> Endpoint:
    opts = pulumi.ResourceOptions(parent=parent)
    # The database holds what DATABASE_SECRET_KEY encrypts: keep it through `pulumi destroy` and removal.
    data = pulumi.ResourceOptions(parent=parent, protect=True, retain_on_delete=True)
    subnets = aws.rds.SubnetGroup(f"{name}-subnets", subnet_ids=list(network.subnet_ids), opts=opts)
    access = _access(name, network=network, port=POSTGRES_PORT, what="PostgreSQL", parent=parent)
    password = _password(f"{name}-password", parent)
    instance = aws.rds.Instance(
        name, engine="postgres", engine_version=settings.engine_version, instance_class=settings.instance_class,
        allocated_storage=settings.allocated_storage, max_allocated_storage=settings.allocated_storage * 4,
        storage_type="gp3", storage_encrypted=True, db_name=settings.name, username=settings.user,
        password=password, port=POSTGRES_PORT, db_subnet_group_name=subnets.name,
        vpc_security_group_ids=[access.id], publicly_accessible=False, multi_az=settings.multi_az,
        backup_retention_period=7, deletion_protection=True, skip_final_snapshot=False,
        final_snapshot_identifier=f"{name}-final", copy_tags_to_snapshot=True, opts=data)
    return Endpoint(instance.address, POSTGRES_PORT, pulumi.Output.secret(password), resources=[instance])


def elasticache_redis(name: str, *, settings: RedisSettings, network: AwsNetworkSettings,
                      parent: pulumi.Resource) -> Endpoint:
    opts = pulumi.ResourceOptions(parent=parent)
    subnets = aws.elasticache.SubnetGroup(f"{name}-subnets", subnet_ids=list(network.subnet_ids), opts=opts)
    access = _access(name, network=network, port=REDIS_PORT, what="Redis", parent=parent)
    token = _password(f"{name}-auth-token", parent)
    failover = settings.replicas > 0
    group = aws.elasticache.ReplicationGroup(
        name, description="Quay build logs, user events and build orchestration", engine="redis",
        node_type=settings.node_type, num_cache_clusters=1 + settings.replicas, port=REDIS_PORT,
        automatic_failover_enabled=failover, multi_az_enabled=failover, subnet_group_name=subnets.name,
        security_group_ids=[access.id], at_rest_encryption_enabled=True,
        # AUTH needs TLS in transit; Quay's redis blocks then carry `ssl: true`.
        transit_encryption_enabled=True, auth_token=token, opts=opts)
    return Endpoint(group.primary_endpoint_address, REDIS_PORT, pulumi.Output.secret(token), resources=[group])
