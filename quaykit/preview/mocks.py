"""Plausible, deterministic provider outputs for the offline preview.

Ids, ARNs and IPs are derived from the resource's type and name (never random, never from the clock), and
addresses come from the documentation ranges of RFC 5737, so dependent values render and two runs agree.
"""
import base64
import hashlib
import uuid
from typing import Any, Callable

import pulumi

ACCOUNT_ID = "123456789012"  # AWS's documentation account id
PUBLIC_NET, PRIVATE_NET = "203.0.113", "198.51.100"  # RFC 5737 TEST-NET-3 / TEST-NET-2


def digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def host_octet(name: str) -> int:
    return int(digest("ip", name)[:4], 16) % 250 + 2


def generated_secret(name: str) -> str:
    return f"PREVIEW-SECRET(generated:{name})"


def _bucket(a) -> dict:
    name = a.inputs.get("bucket") or f"{a.name}-{digest(a.name)[:8]}"
    return {"bucket": name, "arn": f"arn:aws:s3:::{name}", "region": "us-east-1",
            "bucketRegionalDomainName": f"{name}.s3.amazonaws.com", "__id": name}


def _iam(kind: str) -> Callable:
    def fake(a) -> dict:
        name = a.inputs.get("name") or f"{a.name}-{digest(a.name)[:7]}"
        return {"name": name, "arn": f"arn:aws:iam::{ACCOUNT_ID}:{kind}/{name}", "__id": name}
    return fake


def _access_key(a) -> dict:
    key_id = "AKIA" + digest("key", a.name)[:16].upper()
    return {"secret": generated_secret(a.name), "status": "Active", "__id": key_id}


def _kms_key(a) -> dict:
    key_id = str(uuid.UUID(digest("kms", a.name)[:32]))
    return {"keyId": key_id, "arn": f"arn:aws:kms:us-east-1:{ACCOUNT_ID}:key/{key_id}", "__id": key_id}


def _random_password(a) -> dict:
    return {"result": generated_secret(a.name), "__id": "none"}


def _metal_device(a) -> dict:
    octet = host_octet(a.name)
    return {"accessPublicIpv4": f"{PUBLIC_NET}.{octet}", "accessPrivateIpv4": f"{PRIVATE_NET}.{octet}",
            "state": "active", "__id": str(uuid.UUID(digest("device", a.name)[:32]))}


def _metal_project(a) -> dict:
    return {"__id": str(uuid.UUID(digest("project", a.name)[:32]))}


def _rds_instance(a) -> dict:
    identifier = f"{a.name}-{digest(a.name)[:8]}"
    address = f"{identifier}.c{digest('rds', a.name)[:12]}.us-east-1.rds.amazonaws.com"
    return {"identifier": identifier, "address": address, "endpoint": f"{address}:5432", "__id": identifier}


def _elasticache_replication_group(a) -> dict:
    group = f"{a.name}-{digest(a.name)[:8]}"
    return {"primaryEndpointAddress": f"master.{group}.{digest('ec', a.name)[:6]}.use1.cache.amazonaws.com",
            "__id": group}


def _hex_id(prefix: str, a, length: int = 17) -> str:
    return f"{prefix}-{digest(prefix, a.name)[:length]}"


def _fake_pem(kind: str, name: str) -> str:
    return f"-----BEGIN {kind}-----\nPREVIEW-{kind.replace(' ', '-')}-{digest(kind, name)[:32]}\n-----END {kind}-----\n"


def _tls_private_key(a) -> dict:
    return {"privateKeyPem": generated_secret(a.name), "publicKeyPem": _fake_pem("PUBLIC KEY", a.name)}


def _tls_cert(a) -> dict:
    return {"certPem": _fake_pem("CERTIFICATE", a.name)}


def _tls_cert_request(a) -> dict:
    return {"certRequestPem": _fake_pem("CERTIFICATE REQUEST", a.name)}


def _launch_template(a) -> dict:
    return {"latestVersion": 1, "defaultVersion": 1, "__id": _hex_id("lt", a)}


def _ssm_parameter(a) -> dict:
    name = a.inputs.get("name") or a.name
    return {"arn": f"arn:aws:ssm:us-east-1:{ACCOUNT_ID}:parameter{name}", "version": 1, "__id": name}


def _network_interface(a) -> dict:
    return {"privateIp": f"{PRIVATE_NET}.{host_octet(a.name)}", "__id": _hex_id("eni", a)}


def _ec2_instance(a) -> dict:
    return {"privateIp": f"{PRIVATE_NET}.{host_octet(a.name)}", "__id": _hex_id("i", a)}


def _kubernetes_secret(a) -> dict:
    # The token controller fills a service-account-token Secret; other Secrets come back as declared.
    if a.inputs.get("type") != "kubernetes.io/service-account-token":
        return {}
    token = base64.b64encode(generated_secret(a.name).encode()).decode()
    return {"data": {**(a.inputs.get("data") or {}), "token": token}}


FAKES: dict[str, Callable[[Any], dict]] = {
    "aws:s3/bucket:Bucket": _bucket,
    "aws:iam/user:User": _iam("user"),
    "aws:iam/role:Role": _iam("role"),
    "aws:iam/policy:Policy": _iam("policy"),
    "aws:iam/instanceProfile:InstanceProfile": _iam("instance-profile"),
    "aws:iam/accessKey:AccessKey": _access_key,
    "aws:kms/key:Key": _kms_key,
    "random:index/randomPassword:RandomPassword": _random_password,
    "equinix-metal:index/device:Device": _metal_device,
    "equinix-metal:index/project:Project": _metal_project,
    "aws:rds/instance:Instance": _rds_instance,
    "aws:elasticache/replicationGroup:ReplicationGroup": _elasticache_replication_group,
    "tls:index/privateKey:PrivateKey": _tls_private_key,
    "tls:index/selfSignedCert:SelfSignedCert": _tls_cert,
    "tls:index/locallySignedCert:LocallySignedCert": _tls_cert,
    "tls:index/certRequest:CertRequest": _tls_cert_request,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:ec2/securityGroup:SecurityGroup": lambda a: {"__id": _hex_id("sg", a)},
    "aws:ec2/networkInterface:NetworkInterface": _network_interface,
    "aws:ec2/instance:Instance": _ec2_instance,
    "aws:autoscaling/group:Group": lambda a: {"__id": a.inputs.get("name") or f"{a.name}-{digest(a.name)[:7]}"},
    "aws:ssm/parameter:Parameter": _ssm_parameter,
    "kubernetes:core/v1:Secret": _kubernetes_secret,
}


class PlanMocks(pulumi.runtime.Mocks):
    """Answers the engine's questions the way a provider plausibly would."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        outputs = dict(args.inputs)
        fake = FAKES.get(args.typ)
        extra = fake(args) if fake else {}
        resource_id = extra.pop("__id", None) or f"{args.name}-{digest(args.typ, args.name)[:8]}"
        outputs.update(extra)
        if "arn" not in outputs and args.typ.startswith("aws:"):
            service = args.typ.split(":")[1].split("/")[0]
            outputs["arn"] = f"arn:aws:{service}:us-east-1:{ACCOUNT_ID}:{resource_id}"
        return resource_id, outputs

    def call(self, args: pulumi.runtime.MockCallArgs):
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT_ID, "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/preview", "userId": "PREVIEW"}
        if args.token == "aws:index/getRegion:getRegion":
            return {"name": "us-east-1", "region": "us-east-1"}
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com"}
        return {}
