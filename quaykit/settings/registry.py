"""`quaykit:registry` — Quay on Kubernetes, its database and Redis."""
from typing import Literal, Optional

from pydantic import Field, SecretStr, model_validator

from .base import Model

HOSTNAME_PATTERN = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?$"
DNS_LABEL = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"


class DatabaseSettings(Model):
    mode: Literal["in-cluster", "external"] = "in-cluster"
    """`in-cluster`: a PostgreSQL StatefulSet next to Quay (dev). `external`: an existing server."""

    host: Optional[str] = None
    """Server host name (required when mode is external)."""

    port: int = Field(default=5432, ge=1, le=65535)
    """Server port."""

    name: str = Field(default="quay", pattern=r"^[a-z_][a-z0-9_]*$")
    """Database name."""

    user: str = Field(default="quay", pattern=r"^[a-z_][a-z0-9_]*$")
    """Database user."""

    password: Optional[SecretStr] = None
    """Password of the external database (secure); generated for in-cluster."""

    @model_validator(mode="after")
    def _external_needs_endpoint(self):
        if self.mode == "external":
            if not self.host:
                raise ValueError("host: required when mode is external")
            if self.password is None:
                raise ValueError("password: required when mode is external (pulumi config set --secret)")
        return self


class RedisSettings(Model):
    mode: Literal["in-cluster", "external"] = "in-cluster"
    """`in-cluster`: a Redis StatefulSet next to Quay (dev). `external`: an existing server."""

    host: Optional[str] = None
    """Redis host (required when mode is external)."""

    port: int = Field(default=6379, ge=1, le=65535)
    """Redis port."""

    password: Optional[SecretStr] = None
    """Redis password (secure)."""

    ssl: bool = False
    """Connect to Redis over TLS."""

    @model_validator(mode="after")
    def _external_needs_host(self):
        if self.mode == "external" and not self.host:
            raise ValueError("host: required when mode is external")
        return self


class RegistrySettings(Model):
    hostname: str = Field(pattern=HOSTNAME_PATTERN)
    """Public host name of the registry (`SERVER_HOSTNAME`), without scheme."""

    namespace: str = Field(default="quay", pattern=DNS_LABEL)
    """Kubernetes namespace for Quay and its dependencies."""

    replicas: int = Field(default=1, ge=1, le=50)
    """Number of Quay pods."""

    image_tag: str = Field(default="v3.18.0", pattern=r"^v\d+\.\d+\.\d+$")
    """Tag of `quay.io/projectquay/quay`; pinned, never `latest`."""

    tls_secret_name: str = Field(default="quay-tls", pattern=DNS_LABEL)
    """TLS secret the Ingress terminates with (TLS ends at the ingress: `EXTERNAL_TLS_TERMINATION`)."""

    superusers: list[str] = ["admin"]
    """Quay user names with superuser rights."""

    database: DatabaseSettings = DatabaseSettings()
    """PostgreSQL for Quay."""

    redis: RedisSettings = RedisSettings()
    """Redis for build logs and user events."""
