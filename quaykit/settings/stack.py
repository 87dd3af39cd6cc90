"""The whole stack's settings: one block per `quaykit:` config key."""
from .base import Model
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
