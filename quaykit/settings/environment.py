"""`quaykit:environment` — what every layer needs to know about the environment."""
from pydantic import Field

from .base import Model

NAME_PATTERN = r"^[a-z][a-z0-9-]{1,20}$"


class EnvironmentSettings(Model):
    name: str = Field(pattern=NAME_PATTERN)
    """Short environment name (dev, staging, prod…); prefixes resource names."""

    owner: str = Field(min_length=1)
    """Team that owns the environment; written to the `owner` tag/label."""

    tags: dict[str, str] = {}
    """Extra tags put on every AWS resource and as labels where Kubernetes allows."""
