"""Quay's config.yaml as rendered by the program: every key Quay needs to boot (quay/quay util/config/schema.py)."""
import re

import pulumi
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


# --- builds, feature flags, secrets, and what a config edit changes

import json  # noqa: E402

from pulumi.runtime.sync_await import _sync_await  # noqa: E402

from cli import quaykit  # noqa: E402

PEM = "-----BEGIN CERTIFICATE-----\nMIIBtestcertificate\n-----END CERTIFICATE-----\n"
BUILDS = {"enabled": True, "buildmanHostname": "buildman.quay.staging.acme.example", "caCertificate": PEM,
          "workerTag": "v3.18.0"}
# Keys Quay's kubernetes executor needs (quay/quay buildman/manager/executor.py).
EXECUTOR_KEYS = {"EXECUTOR", "BUILDER_NAMESPACE", "K8S_API_SERVER", "K8S_API_TLS_CA", "SERVICE_ACCOUNT_TOKEN",
                 "KUBERNETES_DISTRIBUTION", "NODE_SELECTOR_LABEL_KEY", "NODE_SELECTOR_LABEL_VALUE",
                 "CONTAINER_MEMORY_REQUEST", "VM_MEMORY_LIMIT", "VOLUME_SIZE", "MAXIMUM_JOB_TIME",
                 "BUILDER_VM_CONTAINER_IMAGE", "WORKER_IMAGE", "WORKER_TAG", "CONTAINER_RUNTIME", "CA_CERT"}
HOST = re.compile(r"^[a-z0-9.-]+(:\d{1,5})?$")


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_config_values_have_the_types_quay_expects(plan_for, stack):
    config = quay_config(plan_for(stack))
    assert config["PREFERRED_URL_SCHEME"] == "https" and config["EXTERNAL_TLS_TERMINATION"] is True
    assert HOST.match(config["SERVER_HOSTNAME"])
    assert config["DB_URI"].startswith("postgresql://")
    assert config["AUTHENTICATION_TYPE"] in ("Database", "LDAP", "JWT", "Keystone", "OIDC", "AppToken")
    assert isinstance(config["SUPER_USERS"], list) and all(isinstance(u, str) for u in config["SUPER_USERS"])
    assert isinstance(config["BUILDLOGS_REDIS"]["port"], int)
    assert config["DEFAULT_TAG_EXPIRATION"] in config["TAG_EXPIRATION_OPTIONS"]
    assert config["FEATURE_BUILD_SUPPORT"] is True and config["BUILD_MANAGER"][0] == "ephemeral"


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_feature_flags_match_the_components_the_stack_runs(plan_for, stack):
    plan = plan_for(stack)
    config = quay_config(plan)
    deployments = {plan.inputs(r)["metadata"]["name"] for r in plan.of_type("kubernetes:apps/v1:Deployment")}
    assert config["FEATURE_REPO_MIRROR"] is ("quay-mirror" in deployments)
    assert config["FEATURE_SECURITY_SCANNER"] is ("clair" in deployments)
    if config["FEATURE_SECURITY_SCANNER"]:
        assert config["SECURITY_SCANNER_V4_ENDPOINT"] == "http://clair.quay.svc:8080"
        clair = yaml.safe_load(plan.inputs(plan.one("kubernetes:core/v1:Secret", "registry-clair-config"),
                                           reveal=True)["stringData"]["clair.yaml"])
        assert clair["auth"]["psk"]["key"] == config["SECURITY_SCANNER_V4_PSK"]


def test_builds_render_the_full_build_manager_from_the_build_cluster(plan_for):
    plan = plan_for("staging")
    config = quay_config(plan)
    outputs = plan.run.outputs
    assert config["FEATURE_BUILD_SUPPORT"] is True
    kind, manager = config["BUILD_MANAGER"]
    assert kind == "ephemeral"
    (executor,) = manager["EXECUTORS"]
    assert EXECUTOR_KEYS <= set(executor), f"missing {EXECUTOR_KEYS - set(executor)}"
    # Filled from the build pool's outputs, not from hand-typed config.
    assert executor["K8S_API_SERVER"] == outputs["buildClusterApiServer"]
    assert executor["BUILDER_NAMESPACE"] == outputs["builderNamespace"]
    token = plan.one("kubernetes:core/v1:Secret", "pool-builder-token")
    assert executor["SERVICE_ACCOUNT_TOKEN"] == "PREVIEW-SECRET(generated:pool-builder-token)", token.urn
    assert executor["KUBERNETES_DISTRIBUTION"] == "openshift", "only openshift applies the node selector"
    key, value = outputs["builderNodeLabel"].split("=")
    assert (executor["NODE_SELECTOR_LABEL_KEY"], executor["NODE_SELECTOR_LABEL_VALUE"]) == (key, value)
    assert executor["CA_CERT"].startswith("-----BEGIN CERTIFICATE-----")
    orchestrator = manager["ORCHESTRATOR"]
    assert (orchestrator["REDIS_HOST"], orchestrator["REDIS_PORT"]) == (config["BUILDLOGS_REDIS"]["host"],
                                                                        config["BUILDLOGS_REDIS"]["port"])
    # K8S_API_TLS_CA is a path: the build cluster's CA must be mounted there in the Quay pod.
    pod = plan.inputs(plan.one("kubernetes:apps/v1:Deployment", "registry-quay"))["spec"]["template"]["spec"]
    mount = next(m for m in pod["containers"][0]["volumeMounts"]
                 if executor["K8S_API_TLS_CA"].startswith(m["mountPath"] + "/"))
    volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
    ca = plan.inputs(next(r for r in plan.of_type("kubernetes:core/v1:Secret")
                          if plan.inputs(r)["metadata"]["name"] == volume["secret"]["secretName"]), reveal=True)
    assert ca["stringData"]["ca.crt"] == outputs["buildClusterCaCertificate"]
    # Build VMs reach BUILDMAN_HOSTNAME through a gRPC Ingress with TLS.
    host, port = config["BUILDMAN_HOSTNAME"].rsplit(":", 1)
    ingress = plan.inputs(plan.one("kubernetes:networking.k8s.io/v1:Ingress", "registry-quay-buildman"))
    assert port == "443" and ingress["spec"]["rules"][0]["host"] == host
    assert ingress["spec"]["tls"][0]["hosts"] == [host]
    assert ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"]["number"] == 50051


def test_build_manager_takes_the_pool_layers_typed_build_cluster():
    from components.interfaces import BuildCluster
    from components.registry.component import resolve_build_cluster
    from components.registry.quay_config import build_manager_sections
    from quaykit.settings.registry import BuildSettings

    cluster = BuildCluster(api_server=pulumi.Output.from_input("198.51.100.7:6443"),
                           ca_certificate=pulumi.Output.from_input(PEM),
                           token=pulumi.Output.secret("pool-token"), namespace="builds", node_label="kvm=yes")
    resolved = _sync_await(resolve_build_cluster(cluster).future())
    builds = BuildSettings.model_validate(BUILDS)
    sections = build_manager_sections(builds, resolved, {"host": "redis", "port": 6379})
    (executor,) = sections["BUILD_MANAGER"][1]["EXECUTORS"]
    assert (executor["K8S_API_SERVER"], executor["SERVICE_ACCOUNT_TOKEN"]) == ("198.51.100.7:6443", "pool-token")
    assert (executor["BUILDER_NAMESPACE"], executor["NODE_SELECTOR_LABEL_KEY"]) == ("builds", "kvm")
    assert sections["BUILDMAN_HOSTNAME"] == "buildman.quay.staging.acme.example:443"


@pytest.mark.parametrize("stack,overrides", [("prod", ()), ("staging", ())])
def test_no_secret_reaches_the_plan_file(plan_for, stack, overrides):
    from quaykit.preview.plan import plan_json
    text = plan_json(plan_for(stack, *overrides).run)
    assert "PREVIEW-SECRET" not in text
    config = quay_config(plan_for(stack, *overrides))
    for value in (config["SECRET_KEY"], config["DATABASE_SECRET_KEY"], config["BUILDLOGS_REDIS"].get("password")):
        assert value is None or value.startswith("PREVIEW-SECRET("), "offline, secrets are only placeholders"


def test_secret_keys_are_kept_in_pulumi_state(plan_for):
    plan = plan_for("dev")
    for name in ("registry-secret-key", "registry-database-secret-key"):
        plan.one("random:index/randomPassword:RandomPassword", name)


def _changed(before, after) -> dict[str, list[str]]:
    """URN -> the top-level input paths that differ between two runs of the program."""
    def leaves(value, path=""):
        if isinstance(value, dict):
            for k, v in value.items():
                yield from leaves(v, f"{path}/{k}")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                yield from leaves(v, f"{path}/{i}")
        else:
            yield path, value
    old = {r.urn: dict(leaves(before.inputs(r, reveal=True))) for r in before.resources}
    new = {r.urn: dict(leaves(after.inputs(r, reveal=True))) for r in after.resources}
    assert old.keys() == new.keys(), "a config edit must not add or remove resources"
    return {urn: sorted(k for k in old[urn].keys() | new[urn].keys() if old[urn].get(k) != new[urn].get(k))
            for urn in old if old[urn] != new[urn]}


@pytest.mark.parametrize("stack,edit,also_holds_it", [
    ("staging", "registry.redis.password=rotated-password", set()),
    ("prod", "registry.redis.password=rotated-password", set()),
    # The database URI also feeds the migration Job's pg_trgm step; the Job itself must not re-run.
    ("prod", "registry.database.password=rotated-password", {"registry-database"}),
])
def test_a_secret_edit_rolls_quay_pods_and_changes_nothing_else(plan_for, stack, edit, also_holds_it):
    changed = _changed(plan_for(stack), plan_for(stack, edit))
    by_name = {urn.rsplit("::", 1)[1]: paths for urn, paths in changed.items()}
    rolled = {"registry-quay"} | ({"registry-quay-mirror"} if stack == "prod" else set())
    assert set(by_name) == {"registry-config"} | also_holds_it | rolled, changed
    assert by_name["registry-config"] == ["/stringData/config.yaml"]
    for deployment in rolled:
        assert by_name[deployment] == ["/spec/template/metadata/annotations/quaykit.dev/config-checksum"]


@pytest.mark.parametrize("override,message", [
    ("registry.builds.buildmanHostname=null", "quaykit:registry.builds.buildmanHostname: required when builds are enabled"),
    ("registry.defaultTagExpiration=3d", "quaykit:registry.tagExpirationOptions: must include defaultTagExpiration"),
    ("registry.defaultTagExpiration=2 weeks", "quaykit:registry.defaultTagExpiration: does not match"),
])
def test_bad_registry_settings_are_refused_with_one_line(override, message):
    result = quaykit("config", "check", "--stack", "dev", "--set", override)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr, result.stderr
