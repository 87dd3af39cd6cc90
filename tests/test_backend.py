"""`quaykit backend bootstrap` against a real S3 endpoint (moto's server over HTTP on 127.0.0.1)."""
import json
import os
import socket
import subprocess
import sys
import time

import boto3
import pytest

from cli import quaykit

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("moto server did not start")
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture()
def bootstrap(s3_endpoint, monkeypatch):
    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    env = {**os.environ, **CREDENTIALS}

    def run(*args):
        return subprocess.run([str(os.path.join(os.path.dirname(sys.executable), "quaykit")), "backend", "bootstrap",
                               *args, "--endpoint-url", s3_endpoint], capture_output=True, text=True, env=env)
    return run


def test_the_state_bucket_has_every_property_and_a_second_run_changes_nothing(bootstrap, s3_endpoint):
    first = bootstrap("s3://acme-pulumi-state", "--region", "eu-central-1")
    assert first.returncode == 0, first.stderr
    assert "5 change(s)" in first.stdout
    assert "pulumi login 's3://acme-pulumi-state?region=eu-central-1" in first.stdout

    s3 = boto3.client("s3", region_name="eu-central-1", endpoint_url=s3_endpoint)
    assert s3.get_bucket_location(Bucket="acme-pulumi-state")["LocationConstraint"] == "eu-central-1"
    assert s3.get_bucket_versioning(Bucket="acme-pulumi-state")["Status"] == "Enabled"
    rules = s3.get_bucket_encryption(Bucket="acme-pulumi-state")["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    block = s3.get_public_access_block(Bucket="acme-pulumi-state")["PublicAccessBlockConfiguration"]
    assert block == {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                     "RestrictPublicBuckets": True}
    statements = json.loads(s3.get_bucket_policy(Bucket="acme-pulumi-state")["Policy"])["Statement"]
    denies = {(s["Effect"], json.dumps(s["Action"]), json.dumps(s.get("Condition", {}), sort_keys=True)) for s in statements}
    assert ("Deny", '"s3:*"', '{"Bool": {"aws:SecureTransport": "false"}}') in denies
    assert ("Deny", '"s3:*"', '{"NumericLessThan": {"s3:TlsVersion": "1.2"}}') in denies
    assert ("Deny", '"s3:DeleteBucket"', "{}") in denies

    second = bootstrap("s3://acme-pulumi-state", "--region", "eu-central-1")
    assert second.returncode == 0, second.stderr
    assert "no changes, already bootstrapped" in second.stdout
    assert "changed" not in second.stdout


def test_a_drifted_property_is_repaired_alone(bootstrap, s3_endpoint):
    assert bootstrap("s3://acme-drift-state", "--region", "us-east-1").returncode == 0
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=s3_endpoint)
    s3.put_bucket_versioning(Bucket="acme-drift-state", VersioningConfiguration={"Status": "Suspended"})
    again = bootstrap("s3://acme-drift-state", "--region", "us-east-1")
    assert "changed  versioning enabled" in again.stdout and "1 change(s)" in again.stdout
    assert s3.get_bucket_versioning(Bucket="acme-drift-state")["Status"] == "Enabled"


def test_a_bad_url_is_one_line_and_exit_2(bootstrap):
    result = bootstrap("acme-pulumi-state", "--region", "eu-central-1")
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["error: command line: s3://BUCKET: expected s3:// and a valid bucket name "
                                          "(got 'acme-pulumi-state')"]
