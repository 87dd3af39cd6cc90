"""Storage layer facade: the hardened blob bucket and Quay's least-privilege identity."""
from .component import RegistryStorage
from .quay_config import quay_storage_config

__all__ = ["RegistryStorage", "quay_storage_config"]
