"""The registry layer as the engine sees it: datastores per stack, hardened Quay pods, exposure, network policy."""
import pytest
from pydantic import BaseModel

from conftest import SHIPPED_STACKS

DEPLOYMENT, STATEFULSET = "kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"
JOB = "kubernetes:batch/v1:Job"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"


def quay_pod(plan, resource="registry-quay") -> dict:
    return plan.inputs(plan.one(DEPLOYMENT, resource))["spec"]["template"]


def objects(plan, resource_type) -> dict[str, dict]:
    """Kubernetes objects of one type by their Kubernetes name."""
    found = {}
    for r in plan.of_type(resource_type):
        obj = plan.inputs(r, reveal=True)
        found[obj["metadata"]["name"]] = obj
    return found


def test_dev_runs_postgres_and_redis_in_cluster_with_volumes_and_pg_trgm(plan_for):
    plan = plan_for("dev")
    servers = objects(plan, STATEFULSET)
    assert set(servers) == {"quay-postgres", "quay-redis"}
    for server in servers.values():
        assert server["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"]
    init = objects(plan, "kubernetes:core/v1:ConfigMap")["quay-postgres-init"]
    assert "CREATE EXTENSION IF NOT EXISTS pg_trgm" in "".join(init["data"].values())
    postgres = plan.inputs(plan.one("kubernetes:core/v1:Secret", "registry-postgres"))
    masked = postgres["stringData"]
    assert masked == "[secret]" or masked["POSTGRES_PASSWORD"] == "[secret]", "the generated password must stay secret"


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_staging_and_prod_use_external_datastores(plan_for, stack):
    plan = plan_for(stack)
    assert not {"quay-postgres", "quay-redis"} & set(objects(plan, STATEFULSET))


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_quay_pods_are_hardened_and_keep_their_service_account_token(plan_for, stack):
    plan = plan_for(stack)
    for resource in [r.name for r in plan.of_type(DEPLOYMENT) if r.name.startswith("registry-quay")]:
        pod = quay_pod(plan, resource)["spec"]
        assert pod.get("automountServiceAccountToken", True) is True, "Quay needs its service-account token"
        assert pod["serviceAccountName"] == "quay"
        (container,) = pod["containers"]
        sc = container["securityContext"]
        assert sc["runAsNonRoot"] and sc["allowPrivilegeEscalation"] is False
        assert sc["capabilities"] == {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}
        assert sc["seccompProfile"] == {"type": "RuntimeDefault"}
        assert container["image"].rsplit(":", 1)[1].startswith("v"), "image tag must be pinned"
        assert container["resources"]["requests"] and container["resources"]["limits"]
        assert {c["topologyKey"] for c in pod["topologySpreadConstraints"]} == {
            "kubernetes.io/hostname", "topology.kubernetes.io/zone"}


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_app_pods_never_migrate_and_a_job_migrates_the_pinned_tag(plan_for, stack):
    plan = plan_for(stack)
    container = quay_pod(plan)["spec"]["containers"][0]
    assert container["args"] == ["registry-nomigrate"]
    assert container["startupProbe"]["httpGet"]["path"] == "/health/instance"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/instance"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/endtoend"
    job = plan.inputs(plan.one(JOB, "registry-migrate"))
    (migrate,) = job["spec"]["template"]["spec"]["containers"]
    assert migrate["args"] == ["migrate", "head"]
    assert migrate["image"] == container["image"]
    assert job["metadata"]["name"].endswith(container["image"].rsplit(":", 1)[1].replace(".", "-"))
    (pg_trgm,) = job["spec"]["template"]["spec"]["initContainers"]
    assert "CREATE EXTENSION IF NOT EXISTS pg_trgm" in pg_trgm["command"]
    uri = pg_trgm["env"][0]["valueFrom"]["secretKeyRef"]
    database = objects(plan, "kubernetes:core/v1:Secret")[uri["name"]]
    assert database["stringData"][uri["key"]].startswith("postgresql://")


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_namespace_enforces_restricted_pod_security(plan_for, stack):
    namespace = plan_for(stack).inputs(plan_for(stack).one("kubernetes:core/v1:Namespace", "registry-namespace"))
    labels = namespace["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_service_exposes_http_metrics_and_build_manager_and_ingress_terminates_tls(plan_for, stack):
    plan = plan_for(stack)
    service = objects(plan, "kubernetes:core/v1:Service")["quay"]
    assert {p["name"]: p["targetPort"] for p in service["spec"]["ports"]} == {"http": 8080, "metrics": 9091,
                                                                             "grpc": 50051}
    ingress = objects(plan, "kubernetes:networking.k8s.io/v1:Ingress")["quay"]
    (rule,) = ingress["spec"]["rules"]
    assert ingress["spec"]["tls"][0]["hosts"] == [rule["host"]]
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"] == "0"
    pdb = objects(plan, "kubernetes:policy/v1:PodDisruptionBudget")["quay"]
    assert pdb["spec"]["selector"]["matchLabels"] == service["spec"]["selector"]


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_network_policies_deny_by_default_and_open_only_the_needed_paths(plan_for, stack):
    plan = plan_for(stack)
    policies = objects(plan, NETWORK_POLICY)
    deny = policies["default-deny"]["spec"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert all(p["port"] == 53 for rule in deny["egress"] for p in rule["ports"]), "only DNS is open to all"
    quay = policies["quay"]["spec"]
    controller = quay["ingress"][0]["from"][0]["namespaceSelector"]["matchLabels"]
    assert controller == {"kubernetes.io/metadata.name": "ingress-nginx"}
    assert {p["port"] for p in quay["ingress"][0]["ports"]} == {8080, 50051}
    for server in objects(plan, STATEFULSET).values():
        app = server["metadata"]["name"]
        assert policies[app]["spec"]["ingress"][0]["ports"][0]["port"] in (5432, 6379)
        assert policies[app]["spec"]["egress"] == [], f"{app} must call nobody"


def test_dev_lets_only_quay_pods_reach_its_datastores(plan_for):
    policies = objects(plan_for("dev"), NETWORK_POLICY)
    for app in ("quay-postgres", "quay-redis"):
        (rule,) = policies[app]["spec"]["ingress"]
        assert rule["from"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "quay"}}}]


def test_prod_autoscales_and_runs_the_optional_components(plan_for):
    plan = plan_for("prod")
    hpa = plan.inputs(plan.one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "registry-quay"))
    deployment = plan.inputs(plan.one(DEPLOYMENT, "registry-quay"))
    assert hpa["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    assert hpa["spec"]["minReplicas"] == deployment["spec"]["replicas"] < hpa["spec"]["maxReplicas"]
    mirror = quay_pod(plan, "registry-quay-mirror")["spec"]["containers"][0]
    assert mirror["args"] == ["repomirror"]
    assert "clair-postgres" in objects(plan, STATEFULSET), "Clair gets its own database"
    clair = objects(plan, DEPLOYMENT)["clair"]["spec"]["template"]["spec"]["containers"][0]
    assert clair["image"].startswith("quay.io/projectquay/clair:")
    monitor = plan.inputs(plan.one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "registry-quay-metrics"))
    service = objects(plan, "kubernetes:core/v1:Service")["quay"]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    assert monitor["spec"]["endpoints"][0]["port"] == "metrics"


def test_dev_has_no_autoscaler_and_no_optional_components(plan_for):
    plan = plan_for("dev")
    assert not plan.of_type("kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
    assert set(objects(plan, DEPLOYMENT)) == {"quay"}
    assert not plan.of_type("kubernetes:monitoring.coreos.com/v1:ServiceMonitor")



AWS_DATASTORES = ("registry.database={mode: aws, multiAz: true}", "registry.redis={mode: aws, replicas: 1}",
                  "registry.aws={vpcId: vpc-0a1b2c3d4e5f60718, clientCidrs: [10.20.0.0/16],"
                  " subnetIds: [subnet-0a1b2c3d4e5f60718, subnet-1b2c3d4e5f607181]}")


def test_aws_mode_creates_private_encrypted_rds_and_elasticache_for_quay(plan_for):
    from test_quay_config import quay_config
    plan = plan_for("prod", *AWS_DATASTORES)
    rds = plan.inputs(plan.one("aws:rds/instance:Instance", "registry-postgres"))
    assert rds["engine"] == "postgres" and rds["storageEncrypted"] and not rds["publiclyAccessible"]
    assert rds["multiAz"] and rds["deletionProtection"] and not rds["skipFinalSnapshot"]
    assert rds["password"] == "[secret]"
    redis = plan.inputs(plan.one("aws:elasticache/replicationGroup:ReplicationGroup", "registry-redis"))
    assert redis["transitEncryptionEnabled"] and redis["atRestEncryptionEnabled"] and redis["authToken"] == "[secret]"
    assert redis["automaticFailoverEnabled"] and redis["numCacheClusters"] == 2
    registry_groups = [g for g in plan.of_type("aws:ec2/securityGroup:SecurityGroup") if "QuayRegistry" in g.urn]
    assert len(registry_groups) == 2, [g.urn for g in plan.of_type("aws:ec2/securityGroup:SecurityGroup")]
    for group in registry_groups:
        rules = plan.inputs(group)["ingress"]
        assert [r["cidrBlocks"] for r in rules] == [["10.20.0.0/16"]], f"{group.urn} is open to more than Quay"
    config = quay_config(plan)
    assert "rds.amazonaws.com:5432/quay" in config["DB_URI"]
    assert config["BUILDLOGS_REDIS"]["ssl"] is True and config["BUILDLOGS_REDIS"]["host"].endswith(
        ".cache.amazonaws.com")
    assert not {"quay-postgres", "quay-redis"} & set(objects(plan, STATEFULSET))


def test_aws_mode_needs_the_private_network():
    from cli import quaykit
    result = quaykit("config", "check", "--stack", "dev", "--set", "registry.database.mode=aws")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "quaykit:registry.aws: required when database.mode or redis.mode is aws" in result.stderr


def _models(model, seen=None):
    seen = seen if seen is not None else []
    if model not in seen:
        seen.append(model)
        for field in model.model_fields.values():
            for inner in [field.annotation, *getattr(field.annotation, "__args__", ())]:
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    _models(inner, seen)
    return seen


def test_every_registry_setting_is_documented_for_the_generated_reference():
    from quaykit.settings.registry import RegistrySettings
    undocumented = [f"{model.__name__}.{name}" for model in _models(RegistrySettings)
                    for name, field in model.model_fields.items() if not (field.description or "").strip()]
    assert not undocumented, f"add a docstring under: {undocumented}"
