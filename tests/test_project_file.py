"""Pulumi.yaml as the Pulumi CLI will read it (the CLI is not available here; its schema is)."""
import json
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_pulumi_yaml_is_valid_for_the_pulumi_cli():
    # tests/data/pulumi-project.schema.json: pulumi/pulumi sdk/go/common/workspace/project.json
    schema = json.loads((ROOT / "tests" / "data" / "pulumi-project.schema.json").read_text())
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    jsonschema.Draft202012Validator(schema).validate(project)
    assert project["name"] == "quaykit"
    assert project["main"] == "stacks/" and project["stackConfigDir"] == "stacks"
    assert project["runtime"]["options"]["virtualenv"] == ".venv"
    assert (ROOT / project["main"] / "__main__.py").is_file()
