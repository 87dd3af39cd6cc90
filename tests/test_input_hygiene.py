"""Odd input is refused in one line before anything runs: bytes that are not UTF-8, secrets where they do not
belong or echoed back, coercions a reviewer would not expect, and `--set` outside quaykit's namespace."""
import pytest

from cli import project_copy, quaykit


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return project_copy(tmp_path_factory.mktemp("hygiene"))


def _one_line(result):
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if not line.startswith("warning: ")]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def test_a_stack_file_that_is_not_utf8_is_one_line(project, tmp_path):
    (project / "stacks" / "Pulumi.bin.yaml").write_bytes(b"\xff\xfe")
    for command in (["preview", "--json", str(tmp_path / "p.json")], ["config", "check"]):
        line = _one_line(quaykit(*command, "--stack", "bin", cwd=project))
        assert line == "error: stacks/Pulumi.bin.yaml: not UTF-8 text (byte 0xff at offset 0)"
    assert not (tmp_path / "p.json").exists()
