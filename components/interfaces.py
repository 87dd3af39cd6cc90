"""Typed values that cross from one layer to another. The program passes them; components never import each other."""
from dataclasses import dataclass

import pulumi


@dataclass(frozen=True)
class BuildCluster:
    """What Quay's build manager needs to reach the build pool's cluster (produced by BuildPool)."""

    api_server: pulumi.Output[str]
    """host:port of the build cluster's Kubernetes API, without scheme (Quay's `K8S_API_SERVER`)."""

    ca_certificate: pulumi.Output[str]
    """PEM of the CA that signed the API server's certificate (mounted into Quay, `K8S_API_TLS_CA`)."""

    token: pulumi.Output[str]
    """Service-account token for the builder namespace (secret; Quay's `SERVICE_ACCOUNT_TOKEN`)."""

    namespace: str
    """Namespace where Quay creates build Jobs (`BUILDER_NAMESPACE`)."""

    node_label: str
    """key=value label every KVM-capable build node carries."""
