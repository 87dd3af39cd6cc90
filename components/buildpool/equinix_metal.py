"""Equinix Metal backend: bare-metal devices (the service was shut down on 2026-06-30; kept faithful for users).

Metal has no secret store a device can read at boot, so the user data carries the join token and the server's
CA keys, and is a Pulumi secret (`quaykit preview --out` shows it with placeholders).
"""
from typing import Optional

import pulumi
import pulumi_equinix_metal as metal

from quaykit.settings.pool import EquinixMetalSettings, PoolSettings

from .bootstrap import TOKEN_FILE, SecretFile, build_node_user_data
from .nodes import Nodes
from .rollout import rolling_nodes, user_data_frozen

SHUTDOWN_NOTICE = ("Equinix Metal was shut down on 2026-06-30: devices can only be created with capacity "
                   "you still hold or a compatible successor API")


def _user_data(pool: PoolSettings, *, hostname: Optional[str], role: str, token: pulumi.Output[str],
               server: pulumi.Input[str], server_files: dict[str, pulumi.Output[str]]) -> pulumi.Output[str]:
    files = server_files if role == "server" else {}
    paths = list(files)

    def render(values: list) -> str:
        secrets = [SecretFile(TOKEN_FILE, content=values[0])]
        secrets += [SecretFile(path, content=content) for path, content in zip(paths, values[2:])]
        return build_node_user_data(node_name=hostname, role=role, k3s_version=pool.k3s_version,
                                    node_label=pool.node_label, builder_image=pool.builder_image,
                                    secrets=secrets, server_address=values[1] if role == "agent" else None)

    return pulumi.Output.secret(pulumi.Output.all(token, server, *files.values()).apply(render))


def equinix_metal_nodes(name: str, *, pool: PoolSettings, environment: str, token: pulumi.Output[str],
                        server_files: dict[str, pulumi.Output[str]], parent: pulumi.Resource) -> Nodes:
    settings: EquinixMetalSettings = pool.equinix_metal
    opts = pulumi.ResourceOptions(parent=parent)
    if settings.project_id:
        project_id: pulumi.Input[str] = settings.project_id
    else:
        project_id = metal.Project(f"{name}-project", name=settings.project_name, opts=opts).id
    ssh_key = metal.ProjectSshKey(f"{name}-ssh-key", name=f"quaykit-{environment}", project_id=project_id,
                                  public_key=settings.ssh_public_key, opts=opts)
    tags = ["quaykit", f"env:{environment}", "role:builder", *settings.tags]
    on_demand = 1 if settings.spot_market else pool.count
    rolling = rolling_nodes(on_demand, pool.rollout.batch_size, pool.rollout.wave)

    def device(index: int, role: str, server: pulumi.Input[str]) -> metal.Device:
        hostname = f"{environment}-builder-{index}"
        reservations = settings.hardware_reservation_ids
        return metal.Device(
            f"{name}-node-{index}", hostname=hostname, plan=settings.plan, metro=settings.metro,
            operating_system=settings.operating_system, billing_cycle=settings.billing_cycle,
            project_id=project_id, project_ssh_key_ids=[ssh_key.id], tags=tags,
            hardware_reservation_id=reservations[index] if index < len(reservations) else None,
            user_data=_user_data(pool, hostname=hostname, role=role, token=token, server=server,
                                 server_files=server_files),
            opts=pulumi.ResourceOptions(parent=parent, ignore_changes=user_data_frozen(index, rolling)))

    server = device(0, "server", "")
    devices = [server] + [device(i, "agent", server.access_private_ipv4) for i in range(1, on_demand)]
    if settings.spot_market:
        _spot_agents(name, pool=pool, settings=settings, project_id=project_id, ssh_key=ssh_key, tags=tags,
                     token=token, server=server, environment=environment, parent=parent)
    return Nodes(addresses=pulumi.Output.all(*[d.access_public_ipv4 for d in devices]),
                 api_address=server.access_public_ipv4)


def _spot_agents(name: str, *, pool: PoolSettings, settings: EquinixMetalSettings, project_id: pulumi.Input[str],
                 ssh_key: metal.ProjectSshKey, tags: list[str], token: pulumi.Output[str], server: metal.Device,
                 environment: str, parent: pulumi.Resource) -> metal.SpotMarketRequest:
    spot = settings.spot_market
    # One request, one user data for all its agents: hostnames come from Metal, and a template change would
    # replace the whole request, so its user data only changes with `pulumi up --replace <urn>`.
    return metal.SpotMarketRequest(
        f"{name}-spot-agents", project_id=project_id, metro=settings.metro, devices_min=spot.devices_min,
        devices_max=spot.devices_max, max_bid_price=spot.max_bid_price, wait_for_devices=False,
        instance_parameters={
            "plan": settings.plan, "operating_system": settings.operating_system,
            "billing_cycle": "hourly", "hostname": f"{environment}-builder-spot", "tags": tags,
            "project_ssh_keys": [ssh_key.id],
            "userdata": _user_data(pool, hostname=None, role="agent", token=token, server=server.access_private_ipv4,
                                   server_files={}),
        },
        opts=pulumi.ResourceOptions(parent=parent, ignore_changes=["instanceParameters.userdata"]))
