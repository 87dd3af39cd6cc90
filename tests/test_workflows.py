"""The CI workflows: valid YAML, least privilege, no secrets for forks, and never a pulumi run without --config-file."""
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from cli import ROOT
from quaykit.stacks import known_stacks

WORKFLOWS = ROOT / ".github" / "workflows"
FORK_GUARD = "github.event.pull_request.head.repo.full_name == github.repository"


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as true


def run_scripts(workflow: dict) -> list[str]:
    return [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]


@pytest.mark.parametrize("name", ["preview.yml", "deploy.yml"])
def test_workflow_is_valid_and_read_only_by_default(name):
    workflow = load(name)
    assert triggers(workflow), f"{name} has no trigger"
    assert workflow["permissions"] == {"contents": "read"}, "the default token must be read-only"
    for job_name, job in workflow["jobs"].items():
        assert job["steps"] and "runs-on" in job, job_name
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), (job_name, step)
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", step["uses"]), f"unpinned action {step['uses']}"


@pytest.mark.parametrize("name", ["preview.yml", "deploy.yml"])
def test_every_pulumi_preview_and_up_names_its_stack_and_config_file(name):
    commands = [c for script in run_scripts(load(name)) for c in re.findall(r"pulumi (?:preview|up)\b[^\n]*(?:\n[^\n]*)*", script)]
    assert commands, f"{name} runs no pulumi command"
    for command in commands:
        stack = re.search(r'--stack "([^"]+)"', command)
        config = re.search(r'--config-file "stacks/Pulumi\.([^"]+)\.yaml"', command)
        assert stack and config and stack.group(1) == config.group(1), command


def test_the_offline_job_gets_no_secrets_and_previews_every_stack_against_main():
    job = load("preview.yml")["jobs"]["offline"]
    text = yaml.safe_dump(job)
    assert "secrets." not in text and "id-token" not in text
    scripts = "\n".join(step.get("run", "") for step in job["steps"])
    assert "make test" in scripts
    assert "quaykit preview --stack \"$stack\" --against origin/main --format markdown" in scripts
    assert "$GITHUB_STEP_SUMMARY" in scripts
    assert job["steps"][0]["with"]["fetch-depth"] == 0, "--against origin/main needs main's history"


def test_the_pr_comment_needs_write_permission_and_is_skipped_on_forks():
    job = load("preview.yml")["jobs"]["offline"]
    assert job["permissions"]["pull-requests"] == "write"
    comment = next(s for s in job["steps"] if "github-script" in s.get("uses", ""))
    assert comment["if"] == FORK_GUARD


def test_the_credentialed_preview_is_skipped_on_fork_prs():
    workflow = load("preview.yml")
    assert list(triggers(workflow)) == ["pull_request"], "pull_request_target would hand secrets to fork code"
    job = workflow["jobs"]["pulumi-preview"]
    assert job["if"] == FORK_GUARD
    assert "pulumi preview --diff" in "\n".join(run_scripts({"jobs": {"j": job}}))


def test_deploy_runs_on_main_behind_an_environment_approval_one_stack_at_a_time():
    workflow = load("deploy.yml")
    assert triggers(workflow) == {"push": {"branches": ["main"]}}
    job = workflow["jobs"]["up"]
    assert job["environment"] == "${{ matrix.stack }}"
    assert job["strategy"]["max-parallel"] == 1
    assert "test" in job["needs"]


def _stack_list(name: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    script = next(s["run"] for s in load(name)["jobs"]["stacks"]["steps"] if s.get("id") == "list")
    output = tmp_path / "github-output"
    result = subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "GITHUB_OUTPUT": str(output), **env})
    result.names = json.loads(output.read_text().strip().partition("=")[2]) if result.returncode == 0 else None
    return result


def test_previews_cover_every_stack(tmp_path):
    assert _stack_list("preview.yml", tmp_path).names == known_stacks(ROOT)


def test_deploys_go_staging_then_prod_and_refuse_an_unknown_stack(tmp_path):
    default = load("deploy.yml")["jobs"]["stacks"]["steps"][-1]["env"]["DEPLOY_STACKS"]
    stacks = re.search(r"'([^']+)'", default).group(1)
    assert _stack_list("deploy.yml", tmp_path, DEPLOY_STACKS=stacks).names == ["staging", "prod"]
    refused = _stack_list("deploy.yml", tmp_path, DEPLOY_STACKS="staging prdo")
    assert refused.returncode != 0 and "unknown stack 'prdo'" in refused.stderr
