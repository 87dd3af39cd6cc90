"""`quaykit verify storage` against a real moto S3/IAM server on 127.0.0.1 with IAM enforcement on.

Buckets, bucket settings, Quay's user, policy and key are created from what the dev program *recorded*
(`plan_for("dev")`), never re-typed. Two moto quirks force two checks elsewhere, said where they are skipped:
- presigned (query-string) requests answer HTTP 500 under enforcement → presigned-get runs on a second server
  without enforcement;
- unsigned bucket-level requests (anonymous ListObjectsV2) answer HTTP 500 under enforcement → not provable here;
  anonymous GetObject of a blob is (403).
The TLS-only bucket-policy statements cannot be evaluated by moto (see tests/moto_s3.py); test_storage.py asserts
them on the recorded inputs.
"""
import json

import pytest

from cli import quaykit
from moto_s3 import MotoServer, apply_storage

MOTO_QUIRKS = ("presigned-get", "anonymous-list-denied")
OTHER_BUCKET = "quaykit-test-someone-elses-bucket"
# Which check must fail when Quay's policy lacks an action (components/storage/policy.py says why Quay needs each).
CHECK_NEEDING = {"s3:ListBucket": "reachable", "s3:GetBucketLocation": "reachable",
                 "s3:ListBucketMultipartUploads": "abort-multipart", "s3:AbortMultipartUpload": "abort-multipart",
                 "s3:GetObject": "get", "s3:PutObject": "put", "s3:DeleteObject": "delete"}


def deploy(plan, *, enforce_iam: bool, **apply_options):
    server = MotoServer.start(enforce_iam=enforce_iam)
    admin = server.admin_key() if enforce_iam else ("admin", "admin")
    region = plan.run.outputs["bucketRegion"]
    applied = apply_storage(plan, server, admin, region=region, **apply_options)
    server.client("s3", admin, region).create_bucket(Bucket=OTHER_BUCKET)
    return server, applied


def verify(plan, server, applied, tmp_path, *extra):
    outputs = {k: plan.run.outputs[k] for k in ("bucketName", "bucketRegion", "storagePath")}
    outputs["quayAccessKeyId"], outputs["quaySecretAccessKey"] = applied.quay_key
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    return quaykit("verify", "storage", "--outputs", str(path), "--endpoint-url", server.url,
                   "--other-bucket", OTHER_BUCKET, *extra)


def lines(result) -> dict[str, str]:
    return {line.split(":")[0][2:]: line for line in result.stdout.splitlines() if line[:2] in ("✓ ", "✗ ", "- ")}


@pytest.fixture(scope="session")
def enforced(plan_for):
    plan = plan_for("dev")
    server, applied = deploy(plan, enforce_iam=True)
    yield plan, server, applied
    server.stop()


def test_quay_can_do_exactly_what_it_needs_under_iam_enforcement(enforced, tmp_path):
    plan, server, applied = enforced
    applied_types = {plan.by_urn(urn).type.split(":")[-1] for urn in applied.applied}
    assert {"Bucket", "BucketPublicAccessBlock", "BucketOwnershipControls", "BucketLifecycleConfiguration",
            "BucketServerSideEncryptionConfiguration", "BucketPolicy", "User", "Policy", "UserPolicyAttachment",
            "AccessKey"} <= applied_types
    assert applied.dropped_statements == ["DenyInsecureTransport", "DenyTlsOlderThan12"]

    result = verify(plan, server, applied, tmp_path, *[f"--skip={q}" for q in MOTO_QUIRKS])
    assert result.returncode == 0, result.stdout + result.stderr
    found = lines(result)
    for name in ("reachable", "put", "get", "head", "multipart-copy", "abort-multipart", "outside-prefix-denied",
                 "other-bucket-denied", "bucket-policy-denied", "anonymous-read-denied", "delete"):
        assert found[name].startswith("✓ "), result.stdout
    assert "5243904 bytes assembled from 2 UploadPartCopy parts" in found["multipart-copy"]
    assert "AccessDenied" in found["outside-prefix-denied"] and "AccessDenied" in found["bucket-policy-denied"]
    assert all(found[q].startswith("- ") for q in MOTO_QUIRKS)


def test_presigned_get_works_on_a_server_without_enforcement(plan_for, tmp_path):
    plan = plan_for("dev")
    server, applied = deploy(plan, enforce_iam=False)
    try:
        result = verify(plan, server, applied, tmp_path, "--only", "presigned-get")
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    assert lines(result)["presigned-get"].startswith("✓ "), result.stdout


def test_the_actions_proven_are_the_actions_granted(plan_for):
    plan = plan_for("dev")
    policy = json.loads(plan.inputs(plan.one("aws:iam/policy:Policy", "storage-quay-policy"))["policy"])
    granted = {action for statement in policy["Statement"] for action in statement["Action"]}
    assert granted == set(CHECK_NEEDING)


@pytest.mark.parametrize("dropped", sorted(CHECK_NEEDING))
def test_a_policy_missing_one_action_fails_verify_with_a_clear_line(plan_for, tmp_path, dropped):
    plan = plan_for("dev")
    policy = json.loads(plan.inputs(plan.one("aws:iam/policy:Policy", "storage-quay-policy"))["policy"])
    for statement in policy["Statement"]:
        statement["Action"] = [a for a in statement["Action"] if a != dropped]
    server, applied = deploy(plan, enforce_iam=True, policy_document=json.dumps(policy))
    try:
        result = verify(plan, server, applied, tmp_path, *[f"--skip={q}" for q in MOTO_QUIRKS])
    finally:
        server.stop()
    assert result.returncode == 1, result.stdout
    line = lines(result)[CHECK_NEEDING[dropped]]
    assert line.startswith("✗ ") and "AccessDenied" in line, result.stdout
    assert "checks failed" in result.stdout.splitlines()[-1]


def test_masked_or_missing_outputs_are_refused_in_one_line(tmp_path):
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps({"bucketName": "b-b-b", "bucketRegion": "us-east-1", "storagePath": "/x",
                                "quayAccessKeyId": "AKIA", "quaySecretAccessKey": "[secret]"}))
    result = quaykit("verify", "storage", "--outputs", str(path))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "quaySecretAccessKey: missing or masked: use `pulumi stack output --json --show-secrets`" in result.stderr
    path.write_text("{}")
    result = quaykit("verify", "storage", "--outputs", str(path))
    assert result.returncode == 2 and "bucketName: required stack output is missing" in result.stderr


def test_moto_denies_everything_under_the_tls_statements_which_is_why_they_are_left_out(plan_for, tmp_path):
    # moto evaluates aws:SecureTransport / s3:TlsVersion without request context: the conditional Deny matches all.
    plan = plan_for("dev")
    server, applied = deploy(plan, enforce_iam=True, whole_bucket_policy=True)
    try:
        result = verify(plan, server, applied, tmp_path, "--only", "put")
    finally:
        server.stop()
    assert applied.dropped_statements == []
    assert result.returncode == 1 and lines(result)["put"].startswith("✗ put: PutObject failed: 403"), result.stdout


def test_an_unknown_check_name_is_refused(tmp_path):
    result = quaykit("verify", "storage", "--skip", "presigned", "--outputs", str(tmp_path / "none.json"))
    assert result.returncode == 2 and "unknown check 'presigned'; known: reachable, put" in result.stderr
