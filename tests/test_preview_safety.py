"""`quaykit preview --out/--json` never deletes what it did not write, and every bad path is one line + exit 2."""
import re
import subprocess

import pytest

from cli import project_copy, quaykit


@pytest.fixture
def project(tmp_path):
    (tmp_path / "project").mkdir()
    root = project_copy(tmp_path / "project")
    (root / "notes.txt").write_text("mine\n")
    return root


def _refused(result, line):
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stderr.splitlines() == [line]


@pytest.mark.parametrize("out", [".", "stacks"])
def test_out_at_the_project_or_its_stacks_deletes_nothing(project, out):
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    result = quaykit("preview", "--stack", "dev", "--out", out, cwd=project)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.splitlines()) == 1 and f"error: --out {out}: " in result.stderr
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before
    assert "Preview of stack" not in result.stdout, "refused before the program runs"


def test_out_at_a_directory_quaykit_did_not_write_is_refused(project):
    (project / "docs").mkdir()
    (project / "docs" / "keep.md").write_text("x")
    _refused(quaykit("preview", "--stack", "dev", "--out", "docs", cwd=project),
             "error: --out docs: exists and was not written by quaykit (no .quaykit-artifacts file); "
             "empty it or choose another directory")
    assert (project / "docs" / "keep.md").read_text() == "x"


def test_out_containing_the_json_plan_is_refused(project):
    result = quaykit("preview", "--stack", "dev", "--json", "build/x/plan.json", "--out", "build/x", cwd=project)
    _refused(result, "error: --out build/x: would delete build/x/plan.json; "
                     "choose a directory of its own, e.g. build/<stack>")
    assert not (project / "build").exists()


def test_out_written_by_quaykit_is_replaced_on_the_next_run(project):
    assert quaykit("preview", "--stack", "dev", "--out", "build/dev", cwd=project).returncode == 0
    assert (project / "build/dev/.quaykit-artifacts").is_file()
    (project / "build/dev/stale.yaml").write_text("old")
    assert quaykit("preview", "--stack", "dev", "--out", "build/dev", cwd=project).returncode == 0
    assert not (project / "build/dev/stale.yaml").exists()
    assert (project / "build/dev/quay/config.yaml").is_file()


@pytest.mark.parametrize("args, line", [
    (["--out", "notes.txt"], "error: --out notes.txt: is a file, not a directory"),
    (["--out", "notes.txt/x"], "error: --out notes.txt/x: notes.txt is a file"),
    (["--json", "stacks"], "error: --json stacks: is a directory; give a file path, e.g. plan.json"),
    (["--json", "notes.txt/plan.json"], "error: --json notes.txt/plan.json: notes.txt is a file, not a directory"),
])
def test_bad_output_paths_are_one_line_and_write_nothing(project, args, line):
    result = quaykit("preview", "--stack", "dev", "--json", "plan.json", *args, cwd=project)
    _refused(result, line)
    assert not (project / "plan.json").exists()


def test_unwritable_out_leaves_no_plan_behind(project):
    result = quaykit("preview", "--stack", "prod", "--json", "plan.json", "--out", "/proc/quaykit-x", cwd=project)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: --out /proc/quaykit-x: cannot write: ") and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert not (project / "plan.json").exists()


def test_an_unexpected_exception_is_one_line_unless_debug(project, monkeypatch):
    # A program that fails in a way quaykit does not foresee (here: a plain bug in stacks/__main__.py).
    (project / "stacks" / "__main__.py").write_text("raise KeyError('boom')\n")
    result = quaykit("preview", "--stack", "prod", cwd=project)
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines()[-1:] == result.stderr.splitlines()
    assert result.stderr.strip().startswith("error: internal error: ")
    assert result.stderr.strip().endswith("(rerun with --debug)") and "Traceback" not in result.stderr
    debug = quaykit("preview", "--stack", "prod", "--debug", cwd=project)
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_config_check_and_preview_agree_on_an_explicit_null_block(project):
    check = quaykit("config", "check", "--stack", "dev", "--set", "capacity=null", cwd=project)
    preview = quaykit("preview", "--stack", "dev", "--set", "capacity=null", cwd=project)
    assert check.returncode == 0 and preview.returncode == 0, (check.stderr, preview.stderr)
    path = project / "stacks" / "Pulumi.dev.yaml"
    path.write_text(re.sub(r"(?m)^  quaykit:capacity:\n(^    .*\n|^\s*#.*\n)*", "  quaykit:capacity:\n", path.read_text()))
    assert "quaykit:capacity:\n" in path.read_text() and "buildsPerHour" not in path.read_text()
    check = quaykit("config", "check", "--stack", "dev", cwd=project)
    preview = quaykit("preview", "--stack", "dev", cwd=project)
    assert check.returncode == 0 and preview.returncode == 0, (check.stderr, preview.stderr)


def test_an_explicit_null_required_block_is_refused_the_same_way_by_both(project):
    check = quaykit("config", "check", "--stack", "dev", "--set", "environment=null", cwd=project)
    preview = quaykit("preview", "--stack", "dev", "--set", "environment=null", cwd=project)
    assert check.returncode == preview.returncode == 2
    assert check.stderr == preview.stderr
    assert "quaykit:environment: required key is missing" in check.stderr


def test_the_program_reads_a_null_block_as_unset():
    # Under `pulumi up` the engine hands the program JSON text; "null" must mean "not set", not the string.
    code = ("from pulumi.runtime import config as c; import json, yaml; from pathlib import Path\n"
            "from quaykit.settings import settings_from_pulumi_runtime, read_stack_file\n"
            "cfg = read_stack_file(Path('stacks/Pulumi.dev.yaml'), 'dev')\n"
            "cfg = {k: v if isinstance(v, str) else json.dumps(v) for k, v in cfg.items()}\n"
            "cfg['quaykit:capacity'] = 'null'\n"
            "c.set_all_config(cfg)\n"
            "print(settings_from_pulumi_runtime('dev').capacity)\n")
    from cli import ROOT
    import sys
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None"


def test_kubernetes_artifacts_are_byte_stable_and_start_like_kubectl_output(project):
    for out in ("build/a", "build/b"):
        assert quaykit("preview", "--stack", "dev", "--out", out, cwd=project).returncode == 0
    first = sorted((project / "build/a/kubernetes").rglob("*.yaml"))
    assert first, "no Kubernetes objects written"
    for path in first:
        twin = project / "build/b" / path.relative_to(project / "build/a")
        assert path.read_bytes() == twin.read_bytes(), f"{path.name} differs between two runs"
        assert path.read_text().splitlines()[0].startswith("apiVersion: "), path


def test_the_artifacts_say_they_are_an_offline_preview_with_fake_outputs(project):
    assert quaykit("preview", "--stack", "dev", "--out", "build/dev", cwd=project).returncode == 0
    notice = (project / "build/dev/README.txt").read_text()
    assert "Nothing was deployed" in notice and "PREVIEW-SECRET" in notice and "fakes" in notice
