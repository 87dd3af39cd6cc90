"""Equinix Metal backend: bare-metal devices (the service was shut down on 2026-06-30; kept faithful for users)."""
from dataclasses import dataclass

import pulumi
import pulumi_equinix_metal as metal

from quaykit.settings.pool import EquinixMetalSettings, PoolSettings

from .bootstrap import build_node_user_data

SHUTDOWN_NOTICE = ("Equinix Metal was shut down on 2026-06-30: devices can only be created with capacity "
                   "you still hold or a compatible successor API")


@dataclass(frozen=True)
class Nodes:
    public_ips: pulumi.Output[list[str]]
    private_ips: pulumi.Output[list[str]]
    api_address: pulumi.Output[str]


def equinix_metal_nodes(name: str, *, pool: PoolSettings, environment: str, token: pulumi.Output[str],
                        parent: pulumi.Resource) -> Nodes:
    settings: EquinixMetalSettings = pool.equinix_metal
    opts = pulumi.ResourceOptions(parent=parent)
    if settings.project_id:
        project_id: pulumi.Input[str] = settings.project_id
    else:
        project_id = metal.Project(f"{name}-project", name=settings.project_name, opts=opts).id
    ssh_key = metal.ProjectSshKey(f"{name}-ssh-key", name=f"quaykit-{environment}", project_id=project_id,
                                  public_key=settings.ssh_public_key, opts=opts)
    tags = ["quaykit", f"env:{environment}", "role:builder"]

    def device(index: int, role: str, server: pulumi.Input[str]) -> metal.Device:
        hostname = f"{environment}-builder-{index}"
        user_data = pulumi.Output.secret(pulumi.Output.all(token, server).apply(
            lambda v: build_node_user_data(node_name=hostname, role=role, k3s_version=pool.k3s_version,
                                           token=v[0], node_label=pool.node_label,
                                           server_address=v[1] if role == "agent" else None)))
        return metal.Device(f"{name}-node-{index}", hostname=hostname, plan=settings.plan, metro=settings.metro,
                            operating_system=settings.operating_system, billing_cycle=settings.billing_cycle,
                            project_id=project_id, project_ssh_key_ids=[ssh_key.id], user_data=user_data,
                            tags=tags, opts=opts)

    server = device(0, "server", "")
    devices = [server] + [device(i, "agent", server.access_private_ipv4) for i in range(1, pool.count)]
    return Nodes(public_ips=pulumi.Output.all(*[d.access_public_ipv4 for d in devices]),
                 private_ips=pulumi.Output.all(*[d.access_private_ipv4 for d in devices]),
                 api_address=server.access_public_ipv4)
