"""Registry layer: Quay on Kubernetes."""
from .component import QuayRegistry

__all__ = ["QuayRegistry"]
