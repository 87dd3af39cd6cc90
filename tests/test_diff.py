"""`quaykit diff` and `quaykit preview --against`: plans made by the real program, before and after a change."""
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess

import pytest

from cli import QUAYKIT, ROOT, quaykit

DEVICE = "equinix-metal:index/device:Device"


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    """Plan files of the dev stack as shipped and after config changes, made by `quaykit preview --json`."""
    folder = tmp_path_factory.mktemp("plans")
    variants = {"base": [], "again": [], "two-nodes": ["pool.count=2"], "replicas": ["registry.replicas=3"],
                "new-bucket": ["storage.bucketName=acme-quay-dev-blobs-2"], "metro": ["pool.equinixMetal.metro=sv"],
                "three": ["pool.count=3"], "three-k3s": ["pool.count=3", "pool.k3sVersion=v1.34.1+k3s1"]}
    for name, sets in variants.items():
        args = [arg for s in sets for arg in ("--set", s)]
        result = quaykit("preview", "--stack", "dev", "--json", str(folder / f"{name}.json"), *args)
        assert result.returncode == 0, result.stderr
    return folder


def diff(plans, old, new, *args):
    return quaykit("diff", str(plans / f"{old}.json"), str(plans / f"{new}.json"), *args)


def test_identical_plans_exit_0(plans):
    result = diff(plans, "base", "again")
    assert (result.returncode, result.stdout.strip()) == (0, "no changes")


def test_an_added_node_is_a_create_and_exits_2(plans):
    result = diff(plans, "base", "two-nodes")
    assert result.returncode == 2
    assert f"+ {DEVICE}  pool-node-1" in result.stdout.splitlines()
    assert result.stdout.strip().splitlines()[-1].startswith("1 to create")
    back = diff(plans, "two-nodes", "base")
    assert f"- {DEVICE}  pool-node-1" in back.stdout.splitlines()


def test_an_in_place_update_names_the_changed_paths_without_a_replacement(plans):
    lines = diff(plans, "base", "replicas").stdout.splitlines()
    at = lines.index("~ kubernetes:apps/v1:Deployment  registry-quay")
    assert "      spec.replicas" in lines[at + 1:]
    assert not any("forces replacement" in line for line in lines), lines


def test_a_new_bucket_name_is_marked_as_a_replacement(plans):
    lines = diff(plans, "base", "new-bucket").stdout.splitlines()
    assert "+- aws:s3/bucket:Bucket  storage-bucket  [forces replacement: bucket]" in lines


def test_a_device_metro_change_replaces_the_device(plans):
    lines = diff(plans, "base", "metro").stdout.splitlines()
    assert f"+- {DEVICE}  pool-node-0  [forces replacement: metro]" in lines


def test_a_secret_input_change_is_shown_and_replaces_the_devices(plans):
    result = diff(plans, "three", "three-k3s")
    assert result.returncode == 2, result.stdout
    lines = result.stdout.splitlines()
    for node in range(3):
        at = lines.index(f"+- {DEVICE}  pool-node-{node}  [forces replacement: userData]")
        assert lines[at + 1] == "      userData: [secret changed]"
    assert "v1.34" not in result.stdout and "PREVIEW-SECRET" not in result.stdout


def test_a_plan_from_before_fingerprints_cannot_be_compared_and_is_not_called_a_change(plans, tmp_path):
    text = (plans / "three.json").read_text()
    (tmp_path / "old.json").write_text(re.sub(r"\[secret:[0-9a-f]{16}\]", "[secret]", text))
    result = quaykit("diff", str(tmp_path / "old.json"), str(plans / "three-k3s.json"))
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    at = lines.index(f"? {DEVICE}  pool-node-0")
    assert lines[at + 1] == "      userData: cannot compare: one plan shows only [secret] (made before secret fingerprints)"
    assert "[secret changed]" not in result.stdout and "forces replacement" not in result.stdout
    assert lines[-1] == "no changes among the values that could be compared; make both plans with this quaykit to compare secrets"


def test_secret_fingerprints_are_keyed_per_user_and_the_key_is_private(plans, tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    plan = tmp_path / "other-user.json"
    subprocess.run([QUAYKIT, "preview", "--stack", "dev", "--json", str(plan)], env=env, check=True, capture_output=True)
    key = tmp_path / "cache" / "quaykit" / "fingerprint.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32
    mine, theirs = json.loads((plans / "base.json").read_text()), json.loads(plan.read_text())
    assert mine["outputs"]["builderToken"] != theirs["outputs"]["builderToken"]
    assert re.fullmatch(r"\[secret:[0-9a-f]{16}\]", theirs["outputs"]["builderToken"])
    plain = hashlib.sha256(json.dumps("PREVIEW-SECRET(generated:pool-builder-token)").encode()).hexdigest()[:16]
    assert plain not in plan.read_text()


def test_markdown_is_a_table_for_pr_comments(plans):
    result = diff(plans, "base", "new-bucket", "--format", "markdown")
    assert result.returncode == 2
    assert "| ⚠️ **replace** | `aws:s3/bucket:Bucket` | `storage-bucket` | `bucket` |" in result.stdout
    assert "| | resource | name | changed inputs |" in result.stdout


def test_an_unreadable_plan_exits_1(plans, tmp_path):
    (tmp_path / "junk.json").write_text("{not json")
    result = quaykit("diff", str(plans / "base.json"), str(tmp_path / "junk.json"))
    assert result.returncode == 1 and result.stderr.startswith("error: ") and "junk.json" in result.stderr


@pytest.mark.parametrize("content, problem", [
    (b'{"resources":[1,2]}', "resources[0] is not an object"),
    (b'{"resources":[{"urn":1}]}', "resources[0].urn is not a string"),
    (b'{"outputs":7,"resources":[]}', "outputs is not an object"),
    (b'{"resources":[{"urn":"u","type":"t","name":"n","inputs":[]}]}', "resources[0].inputs is not an object"),
])
def test_json_that_is_not_a_plan_is_one_line_exit_1(plans, tmp_path, content, problem):
    (tmp_path / "other.json").write_bytes(content)
    result = quaykit("diff", str(plans / "base.json"), str(tmp_path / "other.json"))
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [f"error: {tmp_path / 'other.json'}: not a plan file ({problem}; expected "
                                          "the JSON `quaykit preview --json` writes)"]


def test_a_file_that_is_not_utf8_is_one_line_exit_1(plans, tmp_path):
    (tmp_path / "latin1.json").write_bytes(b'{"resources": [], "x": "caf\xe9"}')
    result = quaykit("diff", str(tmp_path / "latin1.json"), str(plans / "base.json"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {tmp_path / 'latin1.json'}: cannot read a plan (UnicodeDecodeError")


def _git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def _short_head(repo):
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture()
def repo(tmp_path):
    """A throwaway git repository holding the whole project (so the shared .git is never touched)."""
    for name in ("Pulumi.yaml",):
        shutil.copy(ROOT / name, tmp_path / name)
    for name in ("stacks", "quaykit", "components", "templates"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", "-A")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base")
    return tmp_path


def test_preview_against_a_revision_diffs_the_config_change(repo):
    stack = repo / "stacks" / "Pulumi.dev.yaml"
    stack.write_text(stack.read_text().replace("    count: 1", "    count: 2"))
    result = quaykit("preview", "--stack", "dev", "--against", "main", "--format", "markdown", cwd=repo)
    assert result.returncode == 0, result.stderr
    short = _short_head(repo)
    assert result.stdout.splitlines()[0] == f"### Stack `dev`: changes against `main` ({short})"
    assert f"| ➕ create | `{DEVICE}` | `pool-node-1` |  |" in result.stdout
    worktrees = subprocess.run(["git", "worktree", "list"], cwd=repo, capture_output=True, text=True).stdout
    assert len(worktrees.strip().splitlines()) == 1, f"temporary worktree left behind: {worktrees}"


def test_preview_against_an_unchanged_revision_says_so(repo):
    result = quaykit("preview", "--stack", "dev", "--against", "HEAD", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines() == [f"stack dev: changes against HEAD ({_short_head(repo)})", "no changes"]


def test_a_stack_new_since_the_revision_is_all_creates(repo):
    shutil.copy(repo / "stacks" / "Pulumi.dev.yaml", repo / "stacks" / "Pulumi.qa.yaml")
    result = quaykit("preview", "--stack", "qa", "--against", "main", cwd=repo)
    assert result.returncode == 0, result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.endswith("0 to update, 0 to replace, 0 to delete") and not summary.startswith("0 to create")


def test_an_unknown_revision_is_an_error(repo):
    result = quaykit("preview", "--stack", "dev", "--against", "no-such-ref", cwd=repo)
    assert result.returncode == 1
    assert [line for line in result.stderr.splitlines() if not line.startswith("warning: ")] == [
        "error: --against no-such-ref: not a git revision here (git: fatal: Needed a single revision)"]
