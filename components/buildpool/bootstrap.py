"""Build node bootstrap: the values of the cloud-init template (pure functions), and its rendering.

One template serves both backends. Secrets reach a node one of two ways:
- `inline`: written by cloud-init from the user data itself (Equinix Metal: the user data is a Pulumi secret);
- `ssm`: fetched at boot from SSM Parameter Store with the node's instance profile (AWS: no secret in user data).
"""
from dataclasses import dataclass
from typing import Any, Literal, Optional

from ..templating import render

K3S_API_PORT = 6443
K3S_TLS_DIR = "/var/lib/rancher/k3s/server/tls"
TOKEN_FILE = "/etc/rancher/k3s/token"
Role = Literal["server", "agent"]


@dataclass(frozen=True)
class SecretFile:
    """A file a node needs that holds a secret: its content inline, or the SSM parameter it is read from."""

    path: str
    content: Optional[str] = None
    parameter: Optional[str] = None
    mode: str = "0600"


def k3s_config(*, role: Role, node_label: str, node_name: Optional[str],
               server_address: Optional[str], tls_san: Optional[str] = None) -> dict[str, Any]:
    """/etc/rancher/k3s/config.yaml for one node; the token stays in its own 0600 file (`token-file`)."""
    config: dict[str, Any] = {"token-file": TOKEN_FILE, "node-label": [node_label]}
    if node_name:
        config["node-name"] = node_name
    if role == "agent":
        config["server"] = f"https://{server_address}:{K3S_API_PORT}"
    else:
        config["write-kubeconfig-mode"] = "0600"
        # Builds need neither an ingress controller nor a load balancer; fewer pods, fewer ports.
        config["disable"] = ["traefik", "servicelb"]
        if tls_san:
            config["tls-san"] = [tls_san]
    return config


def secret_write_files(files: list[SecretFile]) -> list[dict[str, Any]]:
    """cloud-init write_files entries for the secrets delivered inline."""
    return [{"path": f.path, "permissions": f.mode, "content": f.content} for f in files if f.parameter is None]


def build_node_user_data(*, node_name: Optional[str], role: Role, k3s_version: str, node_label: str,
                         builder_image: str, secrets: list[SecretFile], server_address: Optional[str] = None,
                         tls_san: Optional[str] = None, region: Optional[str] = None) -> str:
    """The #cloud-config document of one build node (or of every agent of a launch template when unnamed)."""
    fetched = [f for f in secrets if f.parameter is not None]
    if role not in ("server", "agent"):
        raise ValueError(f"role must be server or agent (got {role!r})")
    if fetched and not region:
        raise ValueError("secrets read from SSM need the region of the parameters")
    return render("build-node.cloud-init.yaml.j2", {
        # A YAML comment ends at any line break: the node name is shown on one line.
        "title": " ".join(f"Build node {node_name}".splitlines()) if node_name else "Build node (launch template)",
        "hostname": node_name,
        "role": role,
        "k3s_version": k3s_version,
        "builder_image": builder_image,
        "k3s_config": k3s_config(role=role, node_label=node_label, node_name=node_name,
                                 server_address=server_address, tls_san=tls_san),
        "inline_files": secret_write_files(secrets),
        "fetched_files": [{"path": f.path, "parameter": f.parameter, "mode": f.mode} for f in fetched],
        "region": region,
    })
