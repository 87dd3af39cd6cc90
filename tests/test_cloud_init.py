"""Every build node's user data, as `quaykit preview --out` writes it: valid for cloud-init, and doing its job."""
import re
import shutil
import subprocess

import pytest
import yaml

from quaykit.preview.artifacts import artifact_files

# (stack, overrides): every shipped stack, each with a server and at least one agent.
POOLS = [("dev", ("pool.count=2",)), ("staging", ()), ("staging", ("pool.backend=aws",)), ("prod", ())]
IDS = ["dev-equinix", "staging-equinix", "staging-aws", "prod-aws"]


def user_data_documents(plan) -> dict[str, str]:
    return {path.name: text for path, text in artifact_files(plan.run).items() if path.parts[0] == "build-nodes"}


def write_files(document: dict) -> dict[str, dict]:
    return {entry["path"]: entry for entry in document["write_files"]}


def k3s_config(document: dict) -> dict:
    return yaml.safe_load(write_files(document)["/etc/rancher/k3s/config.yaml"]["content"])


def bootstrap_script(document: dict) -> str:
    return write_files(document)["/usr/local/sbin/quaykit-bootstrap"]["content"]


def role(document: dict) -> str:
    return "agent" if "server" in k3s_config(document) else "server"


@pytest.fixture(scope="module")
def documents(plan_for):
    return {pool_id: user_data_documents(plan_for(stack, *overrides))
            for pool_id, (stack, overrides) in zip(IDS, POOLS)}


@pytest.mark.parametrize("pool_id", IDS)
def test_cloud_init_accepts_every_user_data_document(documents, pool_id, tmp_path):
    assert shutil.which("cloud-init"), "cloud-init's schema checker is needed: apt-get install cloud-init (make test does)"
    assert documents[pool_id], f"{pool_id}: no build-node user data was written"
    for name, text in documents[pool_id].items():
        path = tmp_path / name
        path.write_text(text)
        checked = subprocess.run(["cloud-init", "schema", "--config-file", str(path)], capture_output=True, text=True)
        assert checked.returncode == 0, f"{pool_id} {name}: {checked.stdout}{checked.stderr}"


@pytest.mark.parametrize("pool_id", IDS)
def test_each_pool_has_a_server_and_agents_that_join_it(documents, pool_id, plan_for):
    parsed = [yaml.safe_load(text) for text in documents[pool_id].values()]
    roles = sorted(role(d) for d in parsed)
    assert roles.count("server") == 1 and "agent" in roles, roles
    stack, overrides = POOLS[IDS.index(pool_id)]
    api_server = plan_for(stack, *overrides).run.outputs["buildClusterApiServer"]
    for document in parsed:
        assert f"INSTALL_K3S_EXEC='{role(document)}'" in bootstrap_script(document)
        names_own_addresses = "tls-san+:" in bootstrap_script(document)
        assert names_own_addresses == (role(document) == "server"), "the API certificate must name the server's addresses"
        if role(document) == "agent":
            joins = k3s_config(document)["server"]
            if pool_id.endswith("aws"):
                assert joins == f"https://{api_server}"  # the server's fixed ENI
            else:
                # Equinix agents join over the private network; Quay and Pulumi use the public address.
                assert re.fullmatch(r"https://[0-9.]+:6443", joins) and joins != f"https://{api_server}"


@pytest.mark.parametrize("pool_id", IDS)
def test_every_node_enables_nested_kvm_and_refuses_to_join_without_it(documents, pool_id):
    for name, text in documents[pool_id].items():
        document = yaml.safe_load(text)
        files = write_files(document)
        assert "options kvm_intel nested=1" in files["/etc/modprobe.d/kvm.conf"]["content"]
        assert "options kvm_amd nested=1" in files["/etc/modprobe.d/kvm.conf"]["content"]
        assert "kvm_intel" in files["/etc/modules-load.d/kvm.conf"]["content"]
        check = files["/usr/local/sbin/quaykit-check-kvm"]["content"]
        assert "[ ! -c /dev/kvm ]" in check and "vmx" in check and "svm" in check and "exit 1" in check
        script = bootstrap_script(document)
        assert "set -eu" in script
        assert script.index("quaykit-check-kvm") < script.index("k3s-install.sh"), f"{name}: k3s installed before the KVM check"
        assert document["runcmd"] == [["/usr/local/sbin/quaykit-bootstrap"]]


@pytest.mark.parametrize("pool_id", IDS)
def test_k3s_is_pinned_and_every_node_is_labelled_and_prepulls_the_builder_image(documents, pool_id):
    for text in documents[pool_id].values():
        document = yaml.safe_load(text)
        script = bootstrap_script(document)
        assert "INSTALL_K3S_VERSION='v1.33.5+k3s1'" in script
        assert "images pull 'quay.io/quay/quay-builder-qemu-fedoracoreos:stable'" in script
        assert k3s_config(document)["node-label"] == ["quaykit.dev/builder=true"]
        assert k3s_config(document)["token-file"] == "/etc/rancher/k3s/token"


@pytest.mark.parametrize("pool_id", ["staging-equinix", "dev-equinix"])
def test_equinix_user_data_carries_secrets_only_as_placeholders(documents, pool_id):
    for text in documents[pool_id].values():
        files = write_files(yaml.safe_load(text))
        assert files["/etc/rancher/k3s/token"]["content"] == "PREVIEW-SECRET(generated:pool-k3s-token)"
        assert files["/etc/rancher/k3s/token"]["permissions"] == "0600"
    parsed = [yaml.safe_load(t) for t in documents[pool_id].values()]
    for agent in (d for d in parsed if role(d) == "agent"):
        assert not any(path.endswith(".key") for path in write_files(agent)), "agents must not carry the CA keys"
    servers = [d for d in parsed if role(d) == "server"]
    ca_key = write_files(servers[0])["/var/lib/rancher/k3s/server/tls/server-ca.key"]["content"]
    assert ca_key.startswith("PREVIEW-SECRET(generated:")
    assert write_files(servers[0])["/var/lib/rancher/k3s/server/tls/server-ca.crt"]["content"].startswith("-----BEGIN CERTIFICATE-----\n")


@pytest.mark.parametrize("pool_id", ["staging-aws", "prod-aws"])
def test_aws_user_data_holds_no_secret_and_reads_them_from_ssm(documents, pool_id):
    for name, text in documents[pool_id].items():
        assert "PREVIEW-SECRET" not in text, f"{name}: a secret is in the launch template's user data"
        document = yaml.safe_load(text)
        assert "/etc/rancher/k3s/token" not in write_files(document)
        script = bootstrap_script(document)
        assert "aws ssm get-parameter" in script and "--with-decryption" in script
        assert "/buildpool/k3s-token' '/etc/rancher/k3s/token'" in script
        reads_ca_keys = "/server-tls/server-ca.key" in script
        assert reads_ca_keys == (role(document) == "server"), f"{name}: only the server reads the CA keys"


@pytest.mark.parametrize("pool_id", IDS)
def test_user_data_installs_no_distribution_specific_package(documents, pool_id):
    # qemu-kvm / cpu-checker exist under those names on Ubuntu only; Equinix also offers debian_12, rocky_9, alma_9.
    for name, text in documents[pool_id].items():
        assert yaml.safe_load(text)["packages"] == ["curl"], name
