"""Build pool layer: KVM-capable build nodes forming the k3s cluster where Quay's builds run as VMs.

One facade (`BuildPool`); one module per backend, chosen by `PoolSettings.backend`.
"""
from typing import Optional

import pulumi
import pulumi_random as random

from quaykit.settings.pool import PoolSettings

from .bootstrap import K3S_API_PORT
from .equinix_metal import equinix_metal_nodes


class BuildPool(pulumi.ComponentResource):
    """Outputs: `node_addresses`, `api_endpoint` (https://host:6443), `node_label`."""

    def __init__(self, name: str, *, settings: PoolSettings, environment: str,
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("quaykit:buildpool:BuildPool", name, None, opts)
        if settings.k3s_token is not None:
            token = pulumi.Output.secret(settings.k3s_token.get_secret_value())
        else:
            # Letters and digits only: a kubeadm-shaped token (abcdef.0123456789abcdef) crashes k3s (k3s#7499).
            token = random.RandomPassword(f"{name}-k3s-token", length=48, special=False,
                                          opts=pulumi.ResourceOptions(parent=self)).result
        nodes = equinix_metal_nodes(name, pool=settings, environment=environment, token=token, parent=self)

        self.node_addresses = nodes.public_ips
        self.api_endpoint = nodes.api_address.apply(lambda ip: f"https://{ip}:{K3S_API_PORT}")
        self.node_label = pulumi.Output.from_input(settings.node_label)
        self.register_outputs({"node_addresses": self.node_addresses, "api_endpoint": self.api_endpoint})
