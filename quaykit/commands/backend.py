"""`quaykit backend bootstrap s3://BUCKET --region R`: the self-managed Pulumi state bucket."""
import re
import sys
from typing import Optional

from ..settings import SettingsError

BUCKET_URL = re.compile(r"^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/?$")


def login_url(bucket: str, region: str, endpoint_url: Optional[str]) -> str:
    url = f"s3://{bucket}?region={region}"
    return url + (f"&endpoint={endpoint_url}&s3ForcePathStyle=true" if endpoint_url else "")


def bootstrap(*, url: str, region: str, endpoint_url: Optional[str]) -> int:
    match = BUCKET_URL.match(url)
    if not match:
        raise SettingsError("command line", "s3://BUCKET", f"expected s3:// and a valid bucket name (got {url!r})")
    bucket = match.group(1)

    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from ..backend import bootstrap_state_bucket

    s3 = boto3.client("s3", region_name=region, endpoint_url=endpoint_url)
    try:
        report = bootstrap_state_bucket(s3, bucket, region)
    except (ClientError, BotoCoreError) as exc:
        print(f"error: s3://{bucket}: {exc}", file=sys.stderr)
        return 1
    for what, changed in report:
        print(f"{'changed' if changed else 'ok     '}  {what}")
    changes = sum(changed for _, changed in report)
    print(f"s3://{bucket}: {changes} change(s)" if changes else f"s3://{bucket}: no changes, already bootstrapped")
    print(f"next: pulumi login '{login_url(bucket, region, endpoint_url)}'")
    return 0
