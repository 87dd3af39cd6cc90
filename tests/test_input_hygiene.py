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


def test_a_secret_given_with_set_is_masked_in_the_preview_header(project):
    result = quaykit("preview", "--stack", "prod", "--set", "registry.database.password=Hunter2RealPw",
                     "--set", "pool.count=3", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "Hunter2RealPw" not in result.stdout + result.stderr
    assert ("(with --set registry.database.password=[secret] --set pool.count=3)" in result.stdout), result.stdout


@pytest.mark.parametrize("setting, secret", [
    ("pool.k3sToken=abcdef.0123456789abcdef", "abcdef.0123456789abcdef"),
    ("registry.database.password=12345678", "12345678"),
    ("quaykit:registry.database.password.x=Hunter2RealPw", "Hunter2RealPw"),
])
def test_a_rejected_secret_is_never_quoted_back(project, setting, secret):
    line = _one_line(quaykit("config", "check", "--stack", "prod", "--set", setting, cwd=project))
    assert secret not in line, line
    assert "[secret]" in line, line


def test_set_only_sets_quaykit_keys(project):
    line = _one_line(quaykit("config", "check", "--stack", "prod", "--set", "aws:region=us-east-1", cwd=project))
    assert line == ("error: command line: --set aws:region=us-east-1: --set only sets quaykit: keys; "
                    "set aws:region in the stack file (pulumi config set aws:region …)")
