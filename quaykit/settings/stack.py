"""The whole stack's settings: one block per `quaykit:` config key."""
from typing import Optional

from pydantic import model_validator

from .base import Model
from .capacity import CapacitySettings
from .environment import EnvironmentSettings
from .pool import PoolSettings
from .registry import QUAY_SERVICE_ACCOUNT, RegistrySettings
from .storage import StorageSettings


class StackSettings(Model):
    environment: EnvironmentSettings
    """`quaykit:environment`"""

    storage: StorageSettings
    """`quaykit:storage`"""

    registry: RegistrySettings
    """`quaykit:registry`"""

    pool: PoolSettings
    """`quaykit:pool`"""

    capacity: Optional[CapacitySettings] = None
    """`quaykit:capacity` (optional): expected build load, for `quaykit pool plan` and the preview's cost lines."""

    @model_validator(mode="after")
    def _layers_agree(self):
        """Combinations that are each valid alone but impossible together."""
        if self.storage.identity == "irsa" and self.storage.irsa is not None:
            # Quay runs as the registry layer's `quay` service account; the role must trust exactly that one.
            expected = f"{self.registry.namespace}:{QUAY_SERVICE_ACCOUNT}"
            if self.storage.irsa.service_account != expected:
                raise ValueError(f"storage.irsa.serviceAccount: must be {expected!r}, the service account Quay runs "
                                 f"as in quaykit:registry.namespace (got {self.storage.irsa.service_account!r})")
        return self
