"""The broken-stack corpus: each file in tests/broken_stacks/ is one realistic mistake and the one line it earns.

A case is a file: its first line is `# expect: PROBLEM`; the user must see exactly
`error: stacks/Pulumi.<case>.yaml: PROBLEM` on stderr, exit code 2, and nothing written.
"""
import shutil
from pathlib import Path

import pytest

from cli import project_copy, quaykit

CORPUS = Path(__file__).resolve().parent / "broken_stacks"
CASES = sorted(p.stem for p in CORPUS.glob("*.yaml"))


def expected_problem(case: str) -> str:
    first = (CORPUS / f"{case}.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{case}.yaml must start with '# expect: …'"
    return first.removeprefix("# expect: ")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = project_copy(tmp_path_factory.mktemp("corpus"))
    for case in CASES:
        shutil.copy(CORPUS / f"{case}.yaml", root / "stacks" / f"Pulumi.{case}.yaml")
    return root


def test_the_corpus_is_large_enough_to_mean_something():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES)
def test_each_broken_stack_gets_its_one_line_and_exit_2(project, case, tmp_path):
    plan, out = tmp_path / "plan.json", tmp_path / "out"
    result = quaykit("preview", "--stack", case, "--json", str(plan), "--out", str(out), cwd=project)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.splitlines() == [f"error: stacks/Pulumi.{case}.yaml: {expected_problem(case)}"]
    assert not plan.exists() and not out.exists(), "a refused stack must write nothing"


@pytest.mark.parametrize("case", ["pool-count-zero", "plain-text-db-password", "malformed-yaml"])
def test_config_check_refuses_the_same_way(project, case):
    result = quaykit("config", "check", "--stack", case, cwd=project)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"error: stacks/Pulumi.{case}.yaml: {expected_problem(case)}"]
