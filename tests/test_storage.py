"""The storage layer under the mock engine: hardening on by default, each switch removes exactly its piece."""
import json

import pytest
import yaml

from cli import quaykit
from conftest import SHIPPED_STACKS

S3 = "aws:s3/"
# quay/quay storage/cloud.py: what Quay's S3 driver needs, and nothing else.
QUAY_BUCKET_ACTIONS = {"s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"}
QUAY_OBJECT_ACTIONS = {"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"}


def storage_names(plan) -> set[str]:
    storage = plan.one("quaykit:storage:RegistryStorage").urn
    return {r.name for r in plan.resources if r.parent == storage}


def doc(plan, resource_type, name):
    return json.loads(plan.inputs(plan.one(resource_type, name))["policy"])


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_every_shipped_stack_hardens_the_blob_bucket(plan_for, stack):
    plan = plan_for(stack)
    block = plan.inputs(plan.one(S3 + "bucketPublicAccessBlock:BucketPublicAccessBlock", "storage-public-access-block"))
    assert all(block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                          "restrictPublicBuckets")), block
    ownership = plan.inputs(plan.one(S3 + "bucketOwnershipControls:BucketOwnershipControls", "storage-ownership"))
    assert ownership["rule"]["objectOwnership"] == "BucketOwnerEnforced"
    sse = plan.inputs(plan.one(S3 + "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                               "storage-encryption"))
    assert sse["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    rules = plan.inputs(plan.one(S3 + "bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                                 "storage-lifecycle"))["rules"]
    assert {"abortIncompleteMultipartUpload": {"daysAfterInitiation": 7}}.items() <= rules[0].items()
    policy = doc(plan, S3 + "bucketPolicy:BucketPolicy", "storage-policy")
    conditions = [s["Condition"] for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert {"Bool": {"aws:SecureTransport": "false"}} in conditions
    assert {"NumericLessThan": {"s3:TlsVersion": "1.2"}} in conditions
    assert "kms" not in json.dumps(policy).lower(), "Quay always sends AES256: a deny-unless-KMS breaks pushes"


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_quay_gets_exactly_its_actions_on_the_bucket_and_prefix(plan_for, stack):
    plan = plan_for(stack)
    bucket = plan.run.outputs["bucketName"]
    prefix = plan.run.outputs["storagePath"].strip("/")
    grants = {s["Resource"]: set(s["Action"]) for s in doc(plan, "aws:iam/policy:Policy", "storage-quay-policy")["Statement"]}
    assert grants == {f"arn:aws:s3:::{bucket}": QUAY_BUCKET_ACTIONS,
                      f"arn:aws:s3:::{bucket}/{prefix}/*": QUAY_OBJECT_ACTIONS}


def registered_options(stack: str) -> dict[str, tuple[bool, bool]]:
    """(protect, retainOnDelete) per resource name — the recorded plan does not keep resource options."""
    from conftest import ROOT
    from quaykit.preview import engine
    from quaykit.stacks import load_stack_with_overrides
    seen = {}
    original = engine.RecordingMonitor.RegisterResource

    def spy(self, request):
        seen[request.name] = (bool(request.protect), bool(request.retainOnDelete))
        return original(self, request)
    loaded = load_stack_with_overrides(ROOT, stack, [])
    engine.RecordingMonitor.RegisterResource = spy
    try:
        engine.run_program(ROOT / "stacks" / "__main__.py", stack=stack, config=loaded.config,
                           secret_keys=loaded.secret_keys)
    finally:
        engine.RecordingMonitor.RegisterResource = original
    return seen


def test_only_prod_protects_and_retains_its_buckets():
    prod, dev = registered_options("prod"), registered_options("dev")
    assert prod["storage-bucket"] == (True, True) and prod["storage-logs-bucket"] == (True, True)
    assert dev["storage-bucket"] == (False, False)
    assert prod["storage-quay-policy"] == (False, False), "only data resources are protected"


@pytest.mark.parametrize("switch, removed", [
    ("storage.blockPublicAccess=false", {"storage-public-access-block"}),
    ("storage.bucketOwnerEnforced=false", {"storage-ownership"}),
    ("storage.encryption.mode=none", {"storage-encryption"}),
    ("storage.requireTls=false", {"storage-policy"}),
    ("storage.abortIncompleteUploadsAfterDays=null", {"storage-lifecycle"}),
])
def test_turning_a_switch_off_removes_exactly_that_piece(plan_for, switch, removed):
    assert storage_names(plan_for("dev")) - storage_names(plan_for("dev", switch)) == removed
    assert storage_names(plan_for("dev", switch)) <= storage_names(plan_for("dev"))


def test_sse_kms_uses_a_dedicated_key_with_a_bucket_key_and_lets_quay_use_only_it(plan_for):
    plan = plan_for("dev", "storage.encryption.mode=sse-kms")
    key = plan.one("aws:kms/key:Key", "storage-key")
    assert plan.inputs(key)["enableKeyRotation"] is True
    rule = plan.inputs(plan.one(S3 + "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                                "storage-encryption"))["rules"][0]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms" and rule["bucketKeyEnabled"]
    key_arn = rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"]
    kms = [s for s in doc(plan, "aws:iam/policy:Policy", "storage-quay-policy")["Statement"] if s["Resource"] == key_arn]
    assert len(kms) == 1 and set(kms[0]["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey"}
    assert "kms" not in json.dumps(doc(plan, S3 + "bucketPolicy:BucketPolicy", "storage-policy")).lower()


def test_versioning_expires_noncurrent_versions(plan_for):
    plan = plan_for("prod")
    versioning = plan.inputs(plan.one(S3 + "bucketVersioning:BucketVersioning", "storage-versioning"))
    assert versioning["versioningConfiguration"]["status"] == "Enabled"
    rules = plan.inputs(plan.one(S3 + "bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                                 "storage-lifecycle"))["rules"]
    assert {"noncurrentVersionExpiration": {"noncurrentDays": 30}}.items() <= rules[1].items()


def test_access_logs_go_to_a_hardened_log_bucket_that_allows_log_delivery(plan_for):
    plan = plan_for("prod")
    logging = plan.inputs(plan.one(S3 + "bucketLogging:BucketLogging", "storage-logging"))
    assert logging["targetBucket"] == "acme-quay-prod-blobs-logs"
    assert plan.one(S3 + "bucketPublicAccessBlock:BucketPublicAccessBlock", "storage-logs-public-access-block")
    statements = doc(plan, S3 + "bucketPolicy:BucketPolicy", "storage-logs-policy")["Statement"]
    delivery = [s for s in statements if s["Effect"] == "Allow"]
    assert delivery[0]["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert delivery[0]["Condition"]["ArnLike"]["aws:SourceArn"] == "arn:aws:s3:::acme-quay-prod-blobs"


def test_cors_is_added_only_for_configured_origins(plan_for):
    assert "storage-cors" not in storage_names(plan_for("dev"))
    plan = plan_for("dev", "storage.cors.allowedOrigins=[https://quay.dev.acme.example]")
    rule = plan.inputs(plan.one(S3 + "bucketCorsConfiguration:BucketCorsConfiguration", "storage-cors"))["corsRules"][0]
    assert rule["allowedOrigins"] == ["https://quay.dev.acme.example"] and "PUT" in rule["allowedMethods"]


REPLICATION = ("storage.versioning.enabled=true", "storage.replication.enabled=true",
               "storage.replication.region=us-west-2")


def test_replication_writes_through_the_second_region_provider(plan_for):
    plan = plan_for("dev", *REPLICATION)
    replica_provider = plan.one("pulumi:providers:aws", "aws-replica")
    assert plan.inputs(replica_provider)["region"] == "us-west-2"
    for name in ("storage-replica-bucket", "storage-replica-versioning", "storage-replica-public-access-block",
                 "storage-replica-policy", "storage-replica-encryption"):
        resource = next(r for r in plan.resources if r.name == name)
        assert resource.provider.startswith(replica_provider.urn + "::"), f"{resource.urn} uses {resource.provider}"
    config = plan.inputs(plan.one(S3 + "bucketReplicationConfig:BucketReplicationConfig", "storage-replication"))
    assert config["rules"][0]["destination"]["bucket"] == "arn:aws:s3:::acme-quay-dev-blobs-replica"
    assert plan.run.outputs["replicaBucketName"] == "acme-quay-dev-blobs-replica"


IRSA = ("storage.identity=irsa",
        "storage.irsa={oidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AB12',"
        " oidcIssuer: 'https://oidc.eks.us-east-1.amazonaws.com/id/AB12', serviceAccount: 'quay:quay'}")


def test_irsa_mode_has_a_role_for_the_service_account_and_no_keys(plan_for):
    plan = plan_for("dev", *IRSA)
    assert not {"storage-quay", "storage-quay-key"} & storage_names(plan)
    trust = json.loads(plan.inputs(plan.one("aws:iam/role:Role", "storage-quay-role"))["assumeRolePolicy"])
    condition = trust["Statement"][0]["Condition"]["StringEquals"]
    assert condition["oidc.eks.us-east-1.amazonaws.com/id/AB12:sub"] == "system:serviceaccount:quay:quay"
    assert "quayRoleArn" in plan.run.outputs and "quayAccessKeyId" not in plan.run.outputs


@pytest.mark.parametrize("overrides, message", [
    (("storage.identity=irsa",), "quaykit:storage.irsa: required when identity is irsa"),
    (REPLICATION[1:], "quaykit:storage.versioning: S3 replication needs versioning.enabled: true"),
    (("storage.replication.enabled=true",), "quaykit:storage.replication: region is required"),
])
def test_impossible_storage_settings_are_refused_in_one_line(overrides, message):
    args = [part for o in overrides for part in ("--set", o)]
    result = quaykit("config", "check", "--stack", "dev", *args)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "stacks/Pulumi.dev.yaml" in result.stderr and f": {message}" in result.stderr


def test_prod_preview_json_shows_policy_documents_and_no_secret(tmp_path):
    path = tmp_path / "prod.json"
    result = quaykit("preview", "--stack", "prod", "--json", str(path))
    assert result.returncode == 0, result.stderr
    plan = json.loads(path.read_text())
    by_name = {r["name"]: r for r in plan["resources"]}
    for name in ("storage-policy", "storage-quay-policy"):
        assert json.loads(by_name[name]["inputs"]["policy"])["Statement"]
    assert by_name["storage-lifecycle"]["inputs"]["rules"]
    assert "PREVIEW-SECRET" not in path.read_text() and plan["outputs"]["quaySecretAccessKey"].startswith("[secret")


def s3_storage_params(plan) -> dict:
    secret = plan.one("kubernetes:core/v1:Secret", "registry-config")
    config = yaml.safe_load(plan.inputs(secret, reveal=True)["stringData"]["config.yaml"])
    (driver, params), = config["DISTRIBUTED_STORAGE_CONFIG"].values()
    assert driver == "S3Storage"
    return params


def test_quay_gets_keys_in_user_mode_and_none_with_irsa(plan_for):
    user = s3_storage_params(plan_for("dev"))
    assert {"s3_bucket", "storage_path", "s3_region", "s3_access_key", "s3_secret_key"} == set(user)
    assert user["s3_access_key"] == plan_for("dev").run.outputs["quayAccessKeyId"]
    irsa = s3_storage_params(plan_for("dev", *IRSA))
    assert {"s3_bucket", "storage_path", "s3_region"} == set(irsa)


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_every_taggable_storage_resource_carries_the_stack_tags(plan_for, stack):
    plan = plan_for(stack)
    # Provider inputs reach the engine as JSON text.
    environment = json.loads(plan.inputs(plan.one("pulumi:providers:aws", "aws"))["defaultTags"])["tags"]
    storage = plan.one("quaykit:storage:RegistryStorage").urn
    taggable = [r for r in plan.resources if r.parent == storage and r.type in (
        "aws:s3/bucket:Bucket", "aws:iam/user:User", "aws:iam/policy:Policy", "aws:iam/role:Role", "aws:kms/key:Key")]
    assert taggable
    for r in taggable:
        assert plan.inputs(r)["tags"] == environment, r.urn


def test_replicating_a_kms_bucket_reencrypts_with_a_key_in_the_replica_region(plan_for):
    plan = plan_for("dev", *REPLICATION, "storage.encryption.mode=sse-kms")
    replica_key = plan.one("aws:kms/key:Key", "storage-replica-key")
    assert replica_key.provider.startswith(plan.one("pulumi:providers:aws", "aws-replica").urn + "::")
    rule = plan.inputs(plan.one(S3 + "bucketReplicationConfig:BucketReplicationConfig", "storage-replication"))["rules"][0]
    assert rule["sourceSelectionCriteria"]["sseKmsEncryptedObjects"]["status"] == "Enabled"
    replica_arn = rule["destination"]["encryptionConfiguration"]["replicaKmsKeyId"]
    role_policy = doc(plan, "aws:iam/rolePolicy:RolePolicy", "storage-replication-policy")
    assert {"Sid": "EncryptReplica", "Effect": "Allow", "Action": "kms:Encrypt", "Resource": replica_arn} in \
        role_policy["Statement"]


def test_with_irsa_quays_service_account_carries_the_storage_role(plan_for):
    plan = plan_for("dev", *IRSA)
    role = plan.one("aws:iam/role:Role", "storage-quay-role")
    account = plan.inputs(plan.one("kubernetes:core/v1:ServiceAccount", "registry-service-account"))
    role_arn = account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
    assert role_arn.endswith(":role/" + plan.inputs(role)["name"]), (role.urn, role_arn)
    assert f"{account['metadata']['namespace']}:{account['metadata']['name']}" == "quay:quay"


def test_an_irsa_role_for_another_service_account_is_refused():
    result = quaykit("config", "check", "--stack", "dev", *[a for o in IRSA[:-1] for a in ("--set", o)],
                     "--set", IRSA[-1].replace("quay:quay'", "quay:quay-app'"))
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "quaykit:storage.irsa.serviceAccount: must be 'quay:quay', the service account Quay runs as in "
        "quaykit:registry.namespace (got 'quay:quay-app')"), result.stderr
