"""Secrets in stack files: every field typed as a secret, found by walking the schema, must come from `secure:`."""
import pytest

from quaykit.settings import SettingsError, secret_placeholder
from quaykit.settings.errors import config_key
from quaykit.settings.loader import refuse_plain_secrets
from quaykit.settings.schema import secret_locations
from quaykit.settings.stack import StackSettings

LOCATIONS = secret_locations(StackSettings)


def _config_with(loc: tuple, value) -> dict:
    top = {}
    node = top
    for part in loc[1:-1]:
        node = node.setdefault(part, {})
    node[loc[-1]] = value
    return {f"quaykit:{loc[0]}": top}


def test_the_schema_has_the_secrets_the_stacks_use():
    assert {config_key(loc) for loc in LOCATIONS} >= {"quaykit:registry.database.password",
                                                      "quaykit:registry.redis.password", "quaykit:pool.k3sToken"}


@pytest.mark.parametrize("loc", LOCATIONS, ids=lambda loc: ".".join(loc))
def test_every_secret_field_in_plain_text_is_refused_with_the_command(loc):
    key = config_key(loc)
    with pytest.raises(SettingsError) as refused:
        refuse_plain_secrets(_config_with(loc, "hunter2"), "stacks/Pulumi.qa.yaml")
    assert str(refused.value) == (f"stacks/Pulumi.qa.yaml: {key}: is a secret but written in plain text; remove it "
                                  f"and run: pulumi config set --secret --path '{key}' --stack qa")
    assert "hunter2" not in str(refused.value)


@pytest.mark.parametrize("loc", LOCATIONS, ids=lambda loc: ".".join(loc))
def test_a_secure_value_is_accepted(loc):
    refuse_plain_secrets(_config_with(loc, secret_placeholder(config_key(loc))), "stacks/Pulumi.qa.yaml")
