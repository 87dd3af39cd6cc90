"""Run the installed `quaykit` command the way a user does, in a given working directory."""
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUAYKIT = str(Path(sys.executable).parent / "quaykit")


def quaykit(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([QUAYKIT, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def project_copy(tmp_path: Path) -> Path:
    """A throwaway copy of the project (Pulumi.yaml + stacks/) for stack files made up by a test."""
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(ROOT / "stacks", tmp_path / "stacks", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path
