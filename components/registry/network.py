"""How traffic reaches Quay and where it may go: Ingress and NetworkPolicy specs as plain data (pure functions)."""
from typing import Any, Optional

from .manifests import GRPC_PORT, HTTP_PORT, METRICS_PORT

NGINX = "nginx.ingress.kubernetes.io"
DNS_PORTS = [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]
# Outside the cluster Quay reaches S3 and its own public URL (443), an external PostgreSQL/Redis, the build API.
QUAY_EXTERNAL_PORTS = (443, 5432, 6379, 6443)


def _tcp(*ports: int) -> list[dict[str, Any]]:
    return [{"protocol": "TCP", "port": p} for p in ports]


def ingress_spec(*, host: str, service: str, port: int, tls_secret: str, ingress_class: str) -> dict[str, Any]:
    return {
        "ingressClassName": ingress_class,
        "tls": [{"hosts": [host], "secretName": tls_secret}],
        "rules": [{"host": host, "http": {"paths": [{
            "path": "/", "pathType": "Prefix",
            "backend": {"service": {"name": service, "port": {"number": port}}}}]}}],
    }


def ingress_annotations(*, grpc: bool, cert_manager_issuer: Optional[str]) -> dict[str, str]:
    annotations = ({f"{NGINX}/backend-protocol": "GRPC"} if grpc else {
        # Layer pushes are unbounded and streamed: no size cap, no buffering to the controller's disk.
        f"{NGINX}/proxy-body-size": "0",
        f"{NGINX}/proxy-request-buffering": "off",
        f"{NGINX}/proxy-buffering": "off",
    })
    if cert_manager_issuer:
        annotations["cert-manager.io/cluster-issuer"] = cert_manager_issuer
    return annotations


def default_deny() -> dict[str, Any]:
    """Nothing in the namespace talks to anything unless a policy below says so; DNS stays open."""
    return {"podSelector": {}, "policyTypes": ["Ingress", "Egress"],
            "egress": [{"to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                        "ports": DNS_PORTS}]}


def quay_policy(*, quay: dict[str, str], ingress_namespace: str, datastores: list[tuple[dict[str, str], int]],
                scanner: Optional[tuple[dict[str, str], int]]) -> dict[str, Any]:
    """Ingress controller → Quay (http, gRPC); any namespace → metrics; Quay → its datastores and the outside."""
    controller = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ingress_namespace}}}
    inbound = [{"from": [controller], "ports": _tcp(HTTP_PORT, GRPC_PORT)},
               {"from": [{"namespaceSelector": {}}], "ports": _tcp(METRICS_PORT)}]
    if scanner:
        inbound.append({"from": [{"podSelector": {"matchLabels": scanner[0]}}], "ports": _tcp(HTTP_PORT)})
    outbound = [{"to": [{"podSelector": {"matchLabels": labels}}], "ports": _tcp(port)}
                for labels, port in datastores + ([scanner] if scanner else [])]
    outbound.append({"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": _tcp(*QUAY_EXTERNAL_PORTS)})
    return {"podSelector": {"matchLabels": quay}, "policyTypes": ["Ingress", "Egress"],
            "ingress": inbound, "egress": outbound}


def datastore_policy(*, server: dict[str, str], port: int, clients: dict[str, str]) -> dict[str, Any]:
    """An in-cluster PostgreSQL/Redis accepts only its clients and calls nobody."""
    return {"podSelector": {"matchLabels": server}, "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [{"podSelector": {"matchLabels": clients}}], "ports": _tcp(port)}], "egress": []}


def scanner_policy(*, scanner: dict[str, str], port: int, quay: dict[str, str],
                   database: tuple[dict[str, str], int]) -> dict[str, Any]:
    """Clair: Quay calls it; it reads its database, fetches vulnerability data and layers over HTTPS."""
    return {"podSelector": {"matchLabels": scanner}, "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [{"podSelector": {"matchLabels": quay}}], "ports": _tcp(port)}],
            "egress": [{"to": [{"podSelector": {"matchLabels": database[0]}}], "ports": _tcp(database[1])},
                       {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": _tcp(80, 443)}]}
