"""`quaykit verify storage`: act as Quay's identity against the real endpoint and check what it may and may not do.

Positive checks are the S3 calls Quay's driver makes (quay/quay storage/cloud.py); negative checks pass when
the call is *denied*. Every object is written under a fresh `<storage_path>/quaykit-verify/<run>/` and removed.
"""
import json
import os
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Callable, Optional

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

MIB = 1024 * 1024
DENIED_CODES = {"AccessDenied", "403", "Forbidden", "AllAccessDisabled"}


class CheckFailed(Exception):
    """The check's one-line reason."""


@dataclass
class Target:
    bucket: str
    region: str
    storage_path: str
    access_key_id: Optional[str] = None
    secret_access_key: Optional[str] = None
    endpoint_url: Optional[str] = None
    other_bucket: Optional[str] = None


@dataclass
class Result:
    name: str
    status: str  # "pass" | "fail" | "skip"
    detail: str

    def line(self) -> str:
        mark = {"pass": "✓", "fail": "✗", "skip": "-"}[self.status]
        return f"{mark} {self.name}: {self.detail}"


@dataclass
class Run:
    target: Target
    s3: object
    anonymous: object
    prefix: str
    key: str
    payload: bytes = field(default_factory=lambda: os.urandom(1024))


def _config(endpoint_url: Optional[str], **extra) -> Config:
    # Path-style for local endpoints (no wildcard DNS for 127.0.0.1); one attempt so a denial is reported, not retried.
    s3 = {"addressing_style": "path"} if endpoint_url else {}
    return Config(s3=s3, retries={"max_attempts": 1, "mode": "standard"}, **extra)


def make_run(target: Target) -> Run:
    common = dict(region_name=target.region, endpoint_url=target.endpoint_url)
    s3 = boto3.client("s3", aws_access_key_id=target.access_key_id, aws_secret_access_key=target.secret_access_key,
                      config=_config(target.endpoint_url, signature_version="s3v4"), **common)
    anonymous = boto3.client("s3", config=_config(target.endpoint_url, signature_version=UNSIGNED), **common)
    prefix = f"{target.storage_path.strip('/')}/quaykit-verify/{uuid.uuid4().hex[:12]}"
    return Run(target=target, s3=s3, anonymous=anonymous, prefix=prefix, key=f"{prefix}/blob")


def _code(exc: ClientError) -> str:
    """The S3 error code, or the HTTP status when the answer had no body (HEAD, some 403s)."""
    error, meta = exc.response.get("Error", {}), exc.response.get("ResponseMetadata", {})
    return str(error.get("Code") or meta.get("HTTPStatusCode"))


def expect_denied(call: Callable[[], object], what: str) -> str:
    """Pass when `call` is refused with AccessDenied/403; anything else is a finding."""
    try:
        call()
    except ClientError as exc:
        code = _code(exc)
        if code in DENIED_CODES:
            return f"{what} denied ({code})"
        raise CheckFailed(f"{what} was not denied by policy: {code}") from None
    raise CheckFailed(f"{what} SUCCEEDED — the identity has more access than Quay needs")


# --- positive checks: what Quay does -----------------------------------------------------------------------------

def check_reachable(run: Run) -> str:
    # ListObjectsV2 is what s3:ListBucket grants; HeadBucket also maps to it on AWS (moto checks s3:HeadBucket).
    run.s3.list_objects_v2(Bucket=run.target.bucket, Prefix=run.prefix + "/", MaxKeys=1)
    run.s3.get_bucket_location(Bucket=run.target.bucket)
    return f"ListObjectsV2 and GetBucketLocation on {run.target.bucket}"


def check_put(run: Run) -> str:
    run.s3.put_object(Bucket=run.target.bucket, Key=run.key, Body=run.payload, ServerSideEncryption="AES256")
    return f"PutObject {run.key} (SSE AES256, as Quay sends it)"


def check_get(run: Run) -> str:
    body = run.s3.get_object(Bucket=run.target.bucket, Key=run.key)["Body"].read()
    if body != run.payload:
        raise CheckFailed(f"GetObject returned {len(body)} bytes that differ from what was written")
    return f"GetObject returned the {len(body)} bytes written"


def check_head(run: Run) -> str:
    size = run.s3.head_object(Bucket=run.target.bucket, Key=run.key)["ContentLength"]
    return f"HeadObject size {size}"


def check_multipart_copy(run: Run) -> str:
    """Quay assembles chunked pushes server-side: UploadPartCopy from uploaded chunks, then complete."""
    bucket, chunk, blob = run.target.bucket, f"{run.prefix}/chunk-5mib", f"{run.prefix}/assembled"
    run.s3.put_object(Bucket=bucket, Key=chunk, Body=os.urandom(5 * MIB), ServerSideEncryption="AES256")
    try:
        upload = run.s3.create_multipart_upload(Bucket=bucket, Key=blob, ServerSideEncryption="AES256")["UploadId"]
        parts = []
        for number, source in enumerate((chunk, run.key), start=1):
            copied = run.s3.upload_part_copy(Bucket=bucket, Key=blob, UploadId=upload, PartNumber=number,
                                             CopySource={"Bucket": bucket, "Key": source})
            parts.append({"PartNumber": number, "ETag": copied["CopyPartResult"]["ETag"]})
        run.s3.complete_multipart_upload(Bucket=bucket, Key=blob, UploadId=upload, MultipartUpload={"Parts": parts})
        size = run.s3.head_object(Bucket=bucket, Key=blob)["ContentLength"]
    finally:
        for key in (chunk, blob):
            _quietly(lambda k=key: run.s3.delete_object(Bucket=bucket, Key=k))
    if size != 5 * MIB + len(run.payload):
        raise CheckFailed(f"assembled blob has {size} bytes, expected {5 * MIB + len(run.payload)}")
    return f"{size} bytes assembled from 2 UploadPartCopy parts"


def check_abort_multipart(run: Run) -> str:
    bucket, key = run.target.bucket, f"{run.prefix}/abandoned"
    upload = run.s3.create_multipart_upload(Bucket=bucket, Key=key, ServerSideEncryption="AES256")["UploadId"]
    run.s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=1, Body=b"x" * 1024)
    # Orphan cleanup lists uploads first (s3:ListBucketMultipartUploads), then aborts them.
    listed = run.s3.list_multipart_uploads(Bucket=bucket, Prefix=key).get("Uploads", [])
    if upload not in {u["UploadId"] for u in listed}:
        raise CheckFailed("ListMultipartUploads did not show the upload just created")
    run.s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload)
    left = run.s3.list_multipart_uploads(Bucket=bucket, Prefix=key).get("Uploads", [])
    if upload in {u["UploadId"] for u in left}:
        raise CheckFailed("the upload is still listed after AbortMultipartUpload")
    return "CreateMultipartUpload, UploadPart, ListMultipartUploads, AbortMultipartUpload"


def check_presigned_get(run: Run) -> str:
    """Quay answers blob pulls with a 302 to a presigned GET (FEATURE_PROXY_STORAGE off)."""
    bucket, key = run.target.bucket, f"{run.prefix}/presigned"
    run.s3.put_object(Bucket=bucket, Key=key, Body=run.payload, ServerSideEncryption="AES256")
    try:
        url = run.s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=60)
        with urllib.request.urlopen(url, timeout=15) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise CheckFailed(f"presigned GET answered HTTP {exc.code}") from None
    finally:
        _quietly(lambda: run.s3.delete_object(Bucket=bucket, Key=key))
    if body != run.payload:
        raise CheckFailed("presigned GET returned other bytes than were written")
    return "a 60 s presigned URL returned the blob without credentials"


def check_delete(run: Run) -> str:
    run.s3.delete_object(Bucket=run.target.bucket, Key=run.key)
    try:
        run.s3.head_object(Bucket=run.target.bucket, Key=run.key)
    except ClientError as exc:
        if _code(exc) in ("404", "NoSuchKey", "NotFound"):
            return f"DeleteObject {run.key}"
        raise
    raise CheckFailed("the object is still there after DeleteObject")


# --- negative checks: what Quay must not be able to do -----------------------------------------------------------

def check_outside_prefix(run: Run) -> str:
    key = f"quaykit-verify-outside/{uuid.uuid4().hex[:12]}"
    try:
        return expect_denied(lambda: run.s3.put_object(Bucket=run.target.bucket, Key=key, Body=b"x"),
                             f"PutObject {key} (outside {run.target.storage_path})")
    except CheckFailed:
        _quietly(lambda: run.s3.delete_object(Bucket=run.target.bucket, Key=key))
        raise


def check_other_bucket(run: Run) -> str:
    other = run.target.other_bucket
    try:
        return expect_denied(lambda: run.s3.list_objects_v2(Bucket=other, MaxKeys=1), f"ListObjectsV2 on {other}")
    except CheckFailed as exc:
        if "NoSuchBucket" in str(exc):
            raise CheckFailed(f"{other} does not exist, so nothing was proven: pass --other-bucket") from None
        raise


def check_bucket_policy(run: Run) -> str:
    # A deliberately invalid document: if the identity *were* allowed, AWS answers MalformedPolicy and changes nothing.
    invalid = json.dumps({"Version": "2012-10-17", "Statement": []})
    return expect_denied(lambda: run.s3.put_bucket_policy(Bucket=run.target.bucket, Policy=invalid),
                         "PutBucketPolicy")


def check_anonymous_read(run: Run) -> str:
    return expect_denied(lambda: run.anonymous.get_object(Bucket=run.target.bucket, Key=run.key),
                         "anonymous GetObject of a blob")


def check_anonymous_list(run: Run) -> str:
    return expect_denied(lambda: run.anonymous.list_objects_v2(Bucket=run.target.bucket, MaxKeys=1),
                         "anonymous ListObjectsV2")


CHECKS: list[tuple[str, Callable[[Run], str]]] = [
    ("reachable", check_reachable),
    ("put", check_put),
    ("get", check_get),
    ("head", check_head),
    ("multipart-copy", check_multipart_copy),
    ("abort-multipart", check_abort_multipart),
    ("presigned-get", check_presigned_get),
    ("outside-prefix-denied", check_outside_prefix),
    ("other-bucket-denied", check_other_bucket),
    ("bucket-policy-denied", check_bucket_policy),
    ("anonymous-read-denied", check_anonymous_read),
    ("anonymous-list-denied", check_anonymous_list),
    ("delete", check_delete),
]
CHECK_NAMES = [name for name, _ in CHECKS]


def run_check(name: str, check: Callable[[Run], str], run: Run) -> Result:
    try:
        return Result(name, "pass", check(run))
    except CheckFailed as exc:
        return Result(name, "fail", str(exc))
    except ClientError as exc:
        message = exc.response.get("Error", {}).get("Message", "")
        detail = f"{exc.operation_name} failed: {_code(exc)}" + (f" — {message}" if message else "")
        return Result(name, "fail", detail)
    except (BotoCoreError, urllib.error.URLError) as exc:  # no endpoint, no credentials: still one line per check
        return Result(name, "fail", str(exc))


def verify(target: Target, *, skip: frozenset[str] = frozenset(),
           only: frozenset[str] = frozenset()) -> list[Result]:
    run = make_run(target)
    results = []
    for name, check in CHECKS:
        if name in skip or (only and name not in only):
            results.append(Result(name, "skip", "skipped (--skip/--only)"))
        elif name == "other-bucket-denied" and not target.other_bucket:
            results.append(Result(name, "skip", "no other bucket known: pass --other-bucket NAME"))
        else:
            results.append(run_check(name, check, run))
    return results


def _quietly(call: Callable[[], object]) -> None:
    try:
        call()
    except ClientError:
        pass
