"""Build node bootstrap: the values of the cloud-init template (pure), and its rendering."""
from typing import Any, Literal, Optional

from ..templating import render

K3S_API_PORT = 6443


def k3s_config(*, role: Literal["server", "agent"], token: str, node_label: str, node_name: str,
               server_address: Optional[str], tls_san: Optional[str] = None) -> dict[str, Any]:
    """/etc/rancher/k3s/config.yaml for one node."""
    config: dict[str, Any] = {"token": token, "node-name": node_name, "node-label": [node_label]}
    if role == "agent":
        config["server"] = f"https://{server_address}:{K3S_API_PORT}"
    else:
        config["write-kubeconfig-mode"] = "0600"
        if tls_san:
            config["tls-san"] = [tls_san]
    return config


def build_node_user_data(*, node_name: str, role: Literal["server", "agent"], k3s_version: str, token: str,
                         node_label: str, server_address: Optional[str] = None,
                         tls_san: Optional[str] = None) -> str:
    return render("build-node.cloud-init.yaml.j2", {
        "node_name": node_name,
        "role": role,
        "k3s_version": k3s_version,
        "k3s_config": k3s_config(role=role, token=token, node_label=node_label, node_name=node_name,
                                 server_address=server_address, tls_san=tls_san),
    })
