"""Inside the build cluster: what Quay's build manager needs, and nothing more.

Quay's `kubernetes` executor creates a Job per build whose privileged pod boots the builder VM with
`qemu-kvm -enable-kvm`. It has no tolerations option and applies node selectors only in `openshift` mode, so
this cluster's every schedulable node is a KVM node; here we only make the namespace accept privileged pods
and give Quay a token that can do exactly what its executor does.
"""
import base64
import json

import pulumi
import pulumi_kubernetes as k8s

from .pki import ClusterPki

BUILDER_ACCOUNT = "quay-builder"


def builder_rules() -> list[dict]:
    """The verbs Quay's executor uses (buildman/manager/executor.py), plus read access to debug a build."""
    return [
        {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["create", "list", "get", "watch", "delete"]},
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["deletecollection", "get", "list", "watch"]},
    ]


def kubeconfig(*, api_address: str, ca_pem: str, cert_pem: str, key_pem: str) -> str:
    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    return json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "build-cluster",
        "clusters": [{"name": "build-cluster", "cluster": {"server": f"https://{api_address}",
                                                             "certificate-authority-data": b64(ca_pem)}}],
        "users": [{"name": "quaykit-admin", "user": {"client-certificate-data": b64(cert_pem),
                                                     "client-key-data": b64(key_pem)}}],
        "contexts": [{"name": "build-cluster", "context": {"cluster": "build-cluster", "user": "quaykit-admin"}}],
    })


def build_cluster_provider(name: str, *, api_server: pulumi.Output[str], pki: ClusterPki,
                           parent: pulumi.Resource) -> k8s.Provider:
    config = pulumi.Output.all(api_server, pki.server_ca_pem, pki.admin_cert_pem, pki.admin_key_pem).apply(
        lambda v: kubeconfig(api_address=v[0], ca_pem=v[1], cert_pem=v[2], key_pem=v[3]))
    return k8s.Provider(f"{name}-build-cluster", kubeconfig=pulumi.Output.secret(config),
                        opts=pulumi.ResourceOptions(parent=parent))


def builder_access(name: str, *, namespace: str, provider: k8s.Provider,
                   parent: pulumi.Resource) -> pulumi.Output[str]:
    """Create the builder namespace and service account; return its long-lived token (secret)."""
    opts = pulumi.ResourceOptions(parent=parent, provider=provider)
    labels = {"app.kubernetes.io/managed-by": "quaykit", "app.kubernetes.io/component": "quay-builder"}
    # The builder pod is privileged (it opens /dev/kvm): Pod Security Admission must allow it here.
    security = {f"pod-security.kubernetes.io/{mode}": "privileged" for mode in ("enforce", "audit", "warn")}
    ns = k8s.core.v1.Namespace(f"{name}-builder-namespace", metadata={"name": namespace,
                                                                       "labels": {**labels, **security}}, opts=opts)
    meta = {"namespace": ns.metadata["name"], "labels": labels}
    account = k8s.core.v1.ServiceAccount(f"{name}-builder-account", metadata={"name": BUILDER_ACCOUNT, **meta},
                                         opts=opts)
    role = k8s.rbac.v1.Role(f"{name}-builder-role", metadata={"name": BUILDER_ACCOUNT, **meta},
                            rules=builder_rules(), opts=opts)
    k8s.rbac.v1.RoleBinding(
        f"{name}-builder-binding", metadata={"name": BUILDER_ACCOUNT, **meta},
        role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role.metadata["name"]},
        subjects=[{"kind": "ServiceAccount", "name": account.metadata["name"], "namespace": namespace}], opts=opts)
    # Since Kubernetes 1.24 no token Secret is made automatically; Quay needs a literal, long-lived token.
    token_secret = k8s.core.v1.Secret(
        f"{name}-builder-token", type="kubernetes.io/service-account-token",
        metadata={"name": f"{BUILDER_ACCOUNT}-token", **meta,
                  "annotations": {"kubernetes.io/service-account.name": account.metadata["name"]}},
        opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=[account],
                                    additional_secret_outputs=["data"]))
    return pulumi.Output.secret(token_secret.data.apply(lambda data: base64.b64decode(data["token"]).decode()))
