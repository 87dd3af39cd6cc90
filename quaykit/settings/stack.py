"""The whole stack's settings: one block per `quaykit:` config key."""
from typing import Optional

from .base import Model
from .capacity import CapacitySettings
from .environment import EnvironmentSettings
from .pool import PoolSettings
from .registry import RegistrySettings
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
