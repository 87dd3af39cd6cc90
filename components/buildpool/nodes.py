"""What every backend hands back to the BuildPool facade."""
from dataclasses import dataclass

import pulumi


@dataclass(frozen=True)
class Nodes:
    addresses: pulumi.Output[list[str]]
    """Addresses of the nodes Pulumi knows by name (AWS: the server only; the agents belong to an ASG)."""

    api_address: pulumi.Output[str]
    """Stable address of the k3s server's API, reachable by Pulumi and by Quay."""
