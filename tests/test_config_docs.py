"""The README's configuration reference is generated from the settings schema and must be current."""
import typing

from cli import ROOT, quaykit
from quaykit.config_reference import BEGIN, END, reference, replace_section
from quaykit.settings.schema import walk_fields
from quaykit.settings.stack import StackSettings


def test_readme_reference_is_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert BEGIN in readme and END in readme, "README.md lacks the generated configuration reference markers"
    assert replace_section(readme, reference()) == readme, \
        "README.md's configuration reference is stale; run: .venv/bin/quaykit config docs --readme README.md"


def _block(text: str, layer: str) -> str:
    """The part of the reference under `### quaykit:LAYER` (the same key may exist in two layers)."""
    return text.split(f"### `quaykit:{layer}`", 1)[1].split("\n### ", 1)[0]


def test_every_key_of_the_schema_is_documented_with_its_description():
    text = reference()
    for loc, field in walk_fields(StackSettings):
        if len(loc) == 1:
            assert f"### `quaykit:{loc[0]}`" in text
            continue
        rows = _block(text, loc[0]).splitlines()
        row = next((line for line in rows if line.startswith(f"| `{'.'.join(loc[1:])}` |")), None)
        assert row is not None, f"quaykit:{'.'.join(loc)} is not in the reference"
        if field.description:
            assert " ".join(field.description.split()) in row.replace("\\|", "|")
        if typing.get_origin(field.annotation) is typing.Literal:
            assert all(f"`{choice}`" in row for choice in typing.get_args(field.annotation)), row


def test_required_keys_defaults_and_constraints_are_shown():
    def row(layer: str, key: str) -> str:
        return next(line for line in _block(reference(), layer).splitlines() if line.startswith(f"| `{key}` |"))
    assert "**required**" in row("storage", "bucketName")
    assert "≥ 1" in row("pool", "count") and "≤ 1000" in row("pool", "count")
    assert "`5432`" in row("registry", "database.port")
    assert "secret" in row("registry", "database.password")


def test_check_mode_fails_on_a_stale_readme_and_writes_nothing(tmp_path):
    stale = tmp_path / "README.md"
    stale.write_text(f"# x\n\n## Configuration reference\n\n{BEGIN}\nold\n{END}\n\n## After\n")
    before = stale.read_text()
    result = quaykit("config", "docs", "--readme", str(stale), "--check")
    assert result.returncode == 1 and "stale" in result.stderr
    assert stale.read_text() == before
    assert quaykit("config", "docs", "--readme", str(stale)).returncode == 0
    updated = stale.read_text()
    assert "| `bucketName` |" in updated and updated.endswith("## After\n") and "\nold\n" not in updated
