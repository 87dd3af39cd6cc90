"""`quaykit stack fork`: a new environment from an existing one, with its own names and none of its secrets."""
import json

import yaml

from cli import project_copy, quaykit

UNIQUE = [("quaykit:storage", "bucketName"), ("quaykit:registry", "hostname"),
          ("quaykit:pool", "equinixMetal", "projectName"), ("quaykit:registry", "database", "host")]


def _at(config: dict, path: tuple):
    node = config
    for part in path:
        node = node[part]
    return node


def _fork_prod_to_staging(tmp_path, *extra):
    project = project_copy(tmp_path)
    (project / "stacks" / "Pulumi.staging.yaml").unlink()
    result = quaykit("stack", "fork", "prod", "staging", *extra, cwd=project)
    assert result.returncode == 0, result.stderr
    return project, result


def test_prod_to_staging_gets_unique_names_and_no_secrets(tmp_path):
    project, result = _fork_prod_to_staging(tmp_path)
    text = (project / "stacks" / "Pulumi.staging.yaml").read_text()
    assert "secure" not in text.replace("# Secrets are not copied", "") and "v1:" not in text
    forked = yaml.safe_load(text)["config"]
    prod = yaml.safe_load((project / "stacks" / "Pulumi.prod.yaml").read_text())["config"]
    assert forked["quaykit:environment"]["name"] == "staging"
    for path in UNIQUE:
        assert _at(forked, path) != _at(prod, path), path
        assert "staging" in _at(forked, path), path
    assert _at(forked, ("quaykit:storage", "bucketName")) == "acme-quay-staging-blobs"
    assert _at(forked, ("quaykit:registry", "hostname")) == "quay.staging.acme.example"
    for key in ("registry.database.password", "registry.redis.password"):
        assert f"pulumi config set --secret --path 'quaykit:{key}' --stack staging" in result.stdout


def test_the_fork_needs_its_secrets_then_previews(tmp_path):
    project, _ = _fork_prod_to_staging(tmp_path)
    refused = quaykit("config", "check", "--stack", "staging", cwd=project)
    assert refused.returncode == 2
    assert refused.stderr.strip().endswith(
        "run: pulumi config set --secret --path 'quaykit:registry.database.password' --stack staging")

    # What `pulumi config set --secret --path …` leaves in the file.
    path = project / "stacks" / "Pulumi.staging.yaml"
    document = yaml.safe_load(path.read_text())
    document["config"]["quaykit:registry"]["database"]["password"] = {"secure": "v1:new:ciphertext"}
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    plan = tmp_path / "staging.json"
    result = quaykit("preview", "--stack", "staging", "--json", str(plan), cwd=project)
    assert result.returncode == 0, result.stderr
    buckets = [r for r in json.loads(plan.read_text())["resources"] if r["type"] == "aws:s3/bucket:Bucket"]
    assert {b["inputs"]["bucket"] for b in buckets} == {"acme-quay-staging-blobs", "acme-quay-staging-blobs-logs"}


def test_overrides_win_over_the_rule(tmp_path):
    project, _ = _fork_prod_to_staging(tmp_path, "--set", "registry.hostname=registry.staging.example.org",
                                       "--set", "pool.count=1")
    forked = yaml.safe_load((project / "stacks" / "Pulumi.staging.yaml").read_text())["config"]
    assert forked["quaykit:registry"]["hostname"] == "registry.staging.example.org"
    assert forked["quaykit:pool"]["count"] == 1


def test_forking_onto_an_existing_stack_refuses_and_leaves_it_alone(tmp_path):
    project = project_copy(tmp_path)
    before = (project / "stacks" / "Pulumi.staging.yaml").read_bytes()
    result = quaykit("stack", "fork", "prod", "staging", cwd=project)
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["error: stacks/Pulumi.staging.yaml: already exists; pass --force to overwrite it"]
    assert (project / "stacks" / "Pulumi.staging.yaml").read_bytes() == before
    forced = quaykit("stack", "fork", "prod", "staging", "--force", cwd=project)
    assert forced.returncode == 0, forced.stderr
    assert (project / "stacks" / "Pulumi.staging.yaml").read_bytes() != before


def test_an_invalid_result_is_refused_and_not_written(tmp_path):
    project = project_copy(tmp_path)
    result = quaykit("stack", "fork", "dev", "qa", "--set", "pool.count=0", cwd=project)
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["error: stacks/Pulumi.qa.yaml: quaykit:pool.count: must be ≥ 1 (got 0)"]
    assert not (project / "stacks" / "Pulumi.qa.yaml").exists()


def test_a_secret_cannot_be_set_on_the_command_line_and_nothing_is_written(tmp_path):
    project = project_copy(tmp_path)
    for override in ("registry.database.password=hunter2", "pool.k3sToken=hunter2",
                     "registry.redis={mode: external, host: r.example, password: hunter2}"):
        result = quaykit("stack", "fork", "prod", "zz", "--set", override, cwd=project)
        assert result.returncode == 2, (override, result.stdout, result.stderr)
        assert len(result.stderr.splitlines()) == 1 and "hunter2" not in result.stderr, result.stderr
        assert not (project / "stacks" / "Pulumi.zz.yaml").exists(), override
    result = quaykit("stack", "fork", "prod", "zz", "--set", "registry.database.password=hunter2", cwd=project)
    assert result.stderr.splitlines() == [
        "error: command line: quaykit:registry.database.password: is a secret and `stack fork` writes no secrets; "
        "after the fork run: pulumi config set --secret --path 'quaykit:registry.database.password' --stack zz"]


def _fork(tmp_path, src, dst, *extra, edit=None):
    project = project_copy(tmp_path)
    if edit:
        path = project / "stacks" / f"Pulumi.{src}.yaml"
        path.write_text(edit(path.read_text()))
    result = quaykit("stack", "fork", src, dst, *extra, cwd=project)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load((project / "stacks" / f"Pulumi.{dst}.yaml").read_text())["config"], result


def test_regions_and_issuers_keep_the_environment_name(tmp_path):
    forked, result = _fork(tmp_path, "prod", "perf")
    assert forked["quaykit:registry"]["certManagerIssuer"] == "letsencrypt-prod"
    assert "certManagerIssuer" not in result.stdout
    us = tmp_path / "us"
    us.mkdir()
    forked, result = _fork(us, "dev", "eu", edit=lambda text: text.replace("    name: dev\n", "    name: us\n"))
    assert forked["quaykit:storage"]["region"] == "us-east-1"
    assert forked["quaykit:environment"]["name"] == "eu"


def test_every_host_name_and_the_kube_context_are_rewritten(tmp_path):
    forked, result = _fork(tmp_path, "prod", "perf")
    registry = forked["quaykit:registry"]
    assert registry["hostname"] == "quay.perf.acme.example"
    assert registry["builds"]["buildmanHostname"] == "buildman.perf.quay.acme.example"
    assert registry["kubeContext"] == "acme-quay-perf"
    assert "quay-perf.cluster-" in registry["database"]["host"] and "quay-perf" in registry["redis"]["host"]
    assert ("  quaykit:registry.builds.buildmanHostname: buildman.quay.acme.example -> "
            "buildman.perf.quay.acme.example") in result.stdout.splitlines()


def test_a_stack_cannot_be_forked_onto_itself_even_with_force(tmp_path):
    project = project_copy(tmp_path)
    before = (project / "stacks" / "Pulumi.prod.yaml").read_bytes()
    result = quaykit("stack", "fork", "prod", "prod", "--force", cwd=project)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: command line: stack fork prod prod: source and destination are the same stack"]
    assert (project / "stacks" / "Pulumi.prod.yaml").read_bytes() == before
