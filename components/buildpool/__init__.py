"""Build pool layer: KVM-capable build nodes forming the k3s cluster where Quay's builds run as VMs.

One facade (`BuildPool`); one module per backend, chosen by `PoolSettings.backend`:
`equinix_metal` (bare metal) and `aws` (C8i/M8i/R8i with nested virtualization, or `.metal`). Both boot the same
cloud-init template (`bootstrap`), trust the same Pulumi-made CAs (`pki`), and get the same builder namespace and
token for Quay (`build_cluster`).
"""
from typing import Optional

import pulumi
import pulumi_random as random

from components.interfaces import BuildCluster
from quaykit.settings.pool import PoolSettings

from .aws import aws_nodes
from .bootstrap import K3S_API_PORT
from .build_cluster import build_cluster_provider, builder_access
from .equinix_metal import equinix_metal_nodes
from .pki import cluster_pki


class BuildPool(pulumi.ComponentResource):
    """Outputs: `node_addresses`, `api_endpoint` (https://host:6443), `node_label`, and `build_cluster`, the
    typed hand-off to the registry's build manager."""

    def __init__(self, name: str, *, settings: PoolSettings, environment: str, aws_region: Optional[str] = None,
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("quaykit:buildpool:BuildPool", name, None, opts)
        if settings.backend == "aws" and not aws_region:
            raise ValueError("BuildPool: the aws backend needs aws_region (where its SSM parameters live)")
        token = pulumi.Output.secret(self._join_token(name, settings))
        pki = cluster_pki(name, parent=self)
        if settings.backend == "aws":
            nodes = aws_nodes(name, pool=settings, environment=environment, region=aws_region, token=token,
                              server_files=pki.server_files, parent=self)
        else:
            nodes = equinix_metal_nodes(name, pool=settings, environment=environment, token=token,
                                        server_files=pki.server_files, parent=self)

        api_server = nodes.api_address.apply(lambda ip: f"{ip}:{K3S_API_PORT}")
        self.provider = build_cluster_provider(name, api_server=api_server, pki=pki, parent=self)
        builder_token = builder_access(name, namespace=settings.builder_namespace, provider=self.provider, parent=self)

        self.node_addresses = nodes.addresses
        self.api_endpoint = api_server.apply(lambda server: f"https://{server}")
        self.node_label = pulumi.Output.from_input(settings.node_label)
        self.build_cluster = BuildCluster(api_server=api_server, ca_certificate=pki.server_ca_pem,
                                          token=builder_token, namespace=settings.builder_namespace,
                                          node_label=settings.node_label)
        self.register_outputs({"node_addresses": self.node_addresses, "api_endpoint": self.api_endpoint,
                               "builder_namespace": settings.builder_namespace})

    def _join_token(self, name: str, settings: PoolSettings) -> pulumi.Input[str]:
        if settings.k3s_token is not None:
            return settings.k3s_token.get_secret_value()
        # Letters and digits only: a kubeadm-shaped token (abcdef.0123456789abcdef) crashes k3s (k3s#7499).
        return random.RandomPassword(f"{name}-k3s-token", length=48, special=False,
                                     opts=pulumi.ResourceOptions(parent=self)).result
