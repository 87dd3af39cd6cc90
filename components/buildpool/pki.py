"""The build cluster's certificate authorities, made by Pulumi before the first node boots.

k3s generates its CAs at first start, which Pulumi could never learn. Instead the CAs are created here and
placed under /var/lib/rancher/k3s/server/tls/ before k3s starts: k3s then uses them (k3s#1868; the files are
those of `k3s certificate rotate-ca`). Pulumi keeps the keys in state (secret), so it can sign its own admin
client certificate, build the kubeconfig of the build-cluster provider, and hand the server CA to Quay.
"""
from dataclasses import dataclass

import pulumi
import pulumi_tls as tls

from .bootstrap import K3S_TLS_DIR

# file stem under K3S_TLS_DIR -> common name; the etcd CAs are required even with the default datastore.
CLUSTER_CAS = {
    "server-ca": "k3s-server-ca",
    "client-ca": "k3s-client-ca",
    "request-header-ca": "k3s-request-header-ca",
    "etcd/server-ca": "etcd-server-ca",
    "etcd/peer-ca": "etcd-peer-ca",
}
CA_VALIDITY_HOURS = 10 * 365 * 24
ADMIN_VALIDITY_HOURS = 365 * 24
CA_USES = ["cert_signing", "digital_signature", "key_encipherment"]


@dataclass(frozen=True)
class ClusterPki:
    server_files: dict[str, pulumi.Output[str]]
    """Absolute path on the server node -> content (keys are secret Outputs)."""

    server_ca_pem: pulumi.Output[str]
    admin_cert_pem: pulumi.Output[str]
    admin_key_pem: pulumi.Output[str]


def cluster_pki(name: str, *, parent: pulumi.Resource) -> ClusterPki:
    opts = pulumi.ResourceOptions(parent=parent)
    files: dict[str, pulumi.Output[str]] = {}
    certs: dict[str, tuple[tls.PrivateKey, tls.SelfSignedCert]] = {}
    for stem, common_name in CLUSTER_CAS.items():
        slug = stem.replace("/", "-")
        key = tls.PrivateKey(f"{name}-{slug}-key", algorithm="ECDSA", ecdsa_curve="P256", opts=opts)
        cert = tls.SelfSignedCert(f"{name}-{slug}", private_key_pem=key.private_key_pem, is_ca_certificate=True,
                                  subject={"common_name": common_name}, allowed_uses=CA_USES,
                                  validity_period_hours=CA_VALIDITY_HOURS, opts=opts)
        certs[stem] = (key, cert)
        files[f"{K3S_TLS_DIR}/{stem}.crt"] = cert.cert_pem
        files[f"{K3S_TLS_DIR}/{stem}.key"] = pulumi.Output.secret(key.private_key_pem)
    # The service-account signing key: without it k3s would make its own, and tokens Quay holds would not
    # survive a rebuilt server.
    service_key = tls.PrivateKey(f"{name}-service-account-key", algorithm="RSA", rsa_bits=2048, opts=opts)
    files[f"{K3S_TLS_DIR}/service.key"] = pulumi.Output.secret(service_key.private_key_pem)

    client_key, client_ca = certs["client-ca"]
    admin_key = tls.PrivateKey(f"{name}-admin-key", algorithm="ECDSA", ecdsa_curve="P256", opts=opts)
    admin_request = tls.CertRequest(f"{name}-admin", private_key_pem=admin_key.private_key_pem,
                                    subject={"common_name": "quaykit-admin", "organization": "system:masters"},
                                    opts=opts)
    admin_cert = tls.LocallySignedCert(f"{name}-admin", cert_request_pem=admin_request.cert_request_pem,
                                       ca_cert_pem=client_ca.cert_pem, ca_private_key_pem=client_key.private_key_pem,
                                       allowed_uses=["digital_signature", "key_encipherment", "client_auth"],
                                       validity_period_hours=ADMIN_VALIDITY_HOURS, early_renewal_hours=30 * 24,
                                       opts=opts)
    return ClusterPki(server_files=files, server_ca_pem=certs["server-ca"][1].cert_pem,
                      admin_cert_pem=admin_cert.cert_pem, admin_key_pem=pulumi.Output.secret(admin_key.private_key_pem))
