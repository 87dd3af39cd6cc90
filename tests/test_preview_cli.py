"""`quaykit preview`: the tree, the summary, the plan file, the artifacts, and the error paths."""
import json
import re

import yaml

from cli import project_copy, quaykit

FINGERPRINT = re.compile(r"\[secret:[0-9a-f]{16}\]")  # a keyed HMAC of the value, never the value


def test_dev_preview_prints_the_tree_and_a_summary_and_writes_artifacts(tmp_path):
    out = tmp_path / "dev"
    result = quaykit("preview", "--stack", "dev", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "quaykit:storage:RegistryStorage  storage" in result.stdout
    assert "  aws:s3/bucket:Bucket  storage-bucket" in result.stdout
    summary = re.search(r"^(\d+) resources \((.+)\)$", result.stdout, re.M)
    assert summary, result.stdout
    assert int(summary.group(1)) >= 15
    assert {"aws", "kubernetes", "equinix-metal"} <= {p.split()[0] for p in summary.group(2).split(", ")}
    assert "nothing is deployed" in result.stdout
    assert "shut down on 2026-06-30" in result.stderr

    config = yaml.safe_load((out / "quay" / "config.yaml").read_text())
    assert config["SERVER_HOSTNAME"] == "quay.dev.acme.example"
    user_data = sorted((out / "build-nodes").glob("*.user-data.yaml"))
    assert len(user_data) == 1 and user_data[0].read_text().startswith("#cloud-config")
    deployment = yaml.safe_load((out / "kubernetes/registry-cluster/quay/deployment-quay.yaml").read_text())
    assert deployment["kind"] == "Deployment"


def test_plan_json_is_byte_identical_across_runs_and_masks_secrets(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert quaykit("preview", "--stack", "prod", "--json", str(first)).returncode == 0
    assert quaykit("preview", "--stack", "prod", "--json", str(second)).returncode == 0
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text()
    assert "PREVIEW-SECRET" not in text, "a secret value leaked into the plan"
    plan = json.loads(text)
    assert set(plan) == {"project", "stack", "resources", "outputs"}
    assert FINGERPRINT.fullmatch(plan["outputs"]["quaySecretAccessKey"])
    config_secret = next(r for r in plan["resources"] if r["name"] == "registry-config")
    string_data = config_secret["inputs"]["stringData"]
    assert FINGERPRINT.fullmatch(string_data if isinstance(string_data, str) else string_data["config.yaml"])
    token = next(r for r in plan["resources"] if r["type"] == "aws:ssm/parameter:Parameter")
    assert FINGERPRINT.fullmatch(token["inputs"]["value"])
    assert [r["urn"] for r in plan["resources"]] == sorted(r["urn"] for r in plan["resources"])


def _assert_refused(result, *fragments, written=()):
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    for path in written:
        assert not path.exists(), f"{path} was written although the input was refused"


def test_unknown_stack_is_refused_with_the_known_ones(tmp_path):
    result = quaykit("preview", "--stack", "qa", "--json", str(tmp_path / "p.json"))
    _assert_refused(result, "stacks/Pulumi.qa.yaml", "dev, prod, staging", written=[tmp_path / "p.json"])


def test_malformed_yaml_names_the_file_and_line(tmp_path):
    project = project_copy(tmp_path)
    (project / "stacks" / "Pulumi.broken.yaml").write_text("config:\n  quaykit:pool: {count: 1\n")
    result = quaykit("preview", "--stack", "broken", "--out", "out", cwd=project)
    _assert_refused(result, "stacks/Pulumi.broken.yaml", "not valid YAML", "line", written=[project / "out"])


def test_a_missing_required_key_names_the_key(tmp_path):
    project = project_copy(tmp_path)
    text = (project / "stacks" / "Pulumi.dev.yaml").read_text().replace("    bucketName: acme-quay-dev-blobs\n", "")
    (project / "stacks" / "Pulumi.dev.yaml").write_text(text)
    result = quaykit("preview", "--stack", "dev", "--out", "out", cwd=project)
    _assert_refused(result, "stacks/Pulumi.dev.yaml: quaykit:storage.bucketName: required key is missing",
                    written=[project / "out"])


def test_a_typo_gets_a_did_you_mean(tmp_path):
    project = project_copy(tmp_path)
    text = (project / "stacks" / "Pulumi.dev.yaml").read_text().replace("    replicas: 1", "    replicsa: 1")
    (project / "stacks" / "Pulumi.dev.yaml").write_text(text)
    result = quaykit("preview", "--stack", "dev", cwd=project)
    _assert_refused(result, "quaykit:registry.replicsa: unknown key; did you mean 'replicas'?")


def test_set_overrides_are_validated_like_the_file():
    result = quaykit("preview", "--stack", "dev", "--set", "pool.count=0")
    _assert_refused(result, "quaykit:pool.count: must be ≥ 1 (got 0)")


def test_set_overrides_change_the_plan(tmp_path):
    result = quaykit("preview", "--stack", "dev", "--set", "pool.count=3", "--json", str(tmp_path / "p.json"))
    assert result.returncode == 0, result.stderr
    plan = json.loads((tmp_path / "p.json").read_text())
    assert len([r for r in plan["resources"] if r["type"] == "equinix-metal:index/device:Device"]) == 3
