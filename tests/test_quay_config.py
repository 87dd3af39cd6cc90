"""Quay's config.yaml as rendered by the program: every key Quay needs to boot (../shared/DOMAIN.md §1)."""
import re

import pytest
import yaml

from conftest import SHIPPED_STACKS

REQUIRED = ("PREFERRED_URL_SCHEME", "SERVER_HOSTNAME", "DB_URI", "AUTHENTICATION_TYPE", "DISTRIBUTED_STORAGE_CONFIG",
            "DISTRIBUTED_STORAGE_PREFERENCE", "BUILDLOGS_REDIS", "USER_EVENTS_REDIS", "DEFAULT_TAG_EXPIRATION",
            "TAG_EXPIRATION_OPTIONS", "SETUP_COMPLETE", "SECRET_KEY", "DATABASE_SECRET_KEY")
EXPIRATION = re.compile(r"^[0-9]+(w|m|d|h|s)$")


def quay_config(plan) -> dict:
    secret = plan.one("kubernetes:core/v1:Secret", "registry-config")
    return yaml.safe_load(plan.inputs(secret, reveal=True)["stringData"]["config.yaml"])


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_config_has_every_key_quay_needs_to_boot(plan_for, stack):
    config = quay_config(plan_for(stack))
    missing = [k for k in REQUIRED if k not in config]
    assert not missing, f"config.yaml lacks {missing}"
    assert config["SETUP_COMPLETE"] is True
    assert config["PREFERRED_URL_SCHEME"] in ("http", "https")
    assert "://" not in config["SERVER_HOSTNAME"]
    assert EXPIRATION.match(config["DEFAULT_TAG_EXPIRATION"])
    assert all(EXPIRATION.match(o) for o in config["TAG_EXPIRATION_OPTIONS"])
    for redis in (config["BUILDLOGS_REDIS"], config["USER_EVENTS_REDIS"]):
        assert {"host", "port"} <= set(redis)


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_storage_locations_are_consistent(plan_for, stack):
    config = quay_config(plan_for(stack))
    locations = set(config["DISTRIBUTED_STORAGE_CONFIG"])
    assert config["DISTRIBUTED_STORAGE_PREFERENCE"] == sorted(locations)
    for key in ("USERFILES_LOCATION", "LOG_ARCHIVE_LOCATION", "ACTION_LOG_ARCHIVE_LOCATION"):
        assert config[key] in locations, f"{key}={config[key]} is not a configured location"
    driver, params = config["DISTRIBUTED_STORAGE_CONFIG"][config["USERFILES_LOCATION"]]
    assert driver == "S3Storage" and params["s3_region"]


def test_secret_keys_are_generated_and_distinct(plan_for):
    config = quay_config(plan_for("dev"))
    assert config["SECRET_KEY"] != config["DATABASE_SECRET_KEY"]
    assert "generated" in config["SECRET_KEY"], "offline, generated secrets appear as placeholders"
