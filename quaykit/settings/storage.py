"""`quaykit:storage` — the S3 bucket that holds every blob Quay stores."""
from typing import Literal

from pydantic import Field

from .base import Model

AWS_REGION_PATTERN = r"^[a-z]{2}(-gov)?-[a-z]+-\d$"
# S3 bucket naming rules: 3-63 chars, lowercase letters, digits, dots and hyphens.
BUCKET_PATTERN = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"


class StorageSettings(Model):
    region: str = Field(pattern=AWS_REGION_PATTERN)
    """AWS region of the blob bucket; Quay is given it as `s3_region` (forces the regional endpoint)."""

    bucket_name: str = Field(pattern=BUCKET_PATTERN)
    """Globally unique S3 bucket name for registry blobs."""

    storage_path: str = Field(default="/datastorage/registry", pattern=r"^/[A-Za-z0-9/_.-]*[A-Za-z0-9_.-]$")
    """Key prefix inside the bucket under which Quay writes; Quay's identity may touch nothing else."""

    location_id: str = Field(default="default", pattern=r"^[a-z][a-z0-9_]{0,31}$")
    """Quay storage location id used in `DISTRIBUTED_STORAGE_CONFIG`."""

    identity: Literal["user", "irsa"] = "user"
    """How Quay authenticates to S3: an IAM user with an access key, or an IAM role for its service account."""

    protect: bool = False
    """Protect the bucket from `pulumi destroy` and keep it if removed from the program (on for prod)."""
