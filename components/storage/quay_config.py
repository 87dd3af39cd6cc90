"""The storage keys of Quay's config.yaml, derived from the storage layer's outputs (quay/quay util/config/schema.py, storage/cloud.py)."""
from typing import Any, Optional

from quaykit.settings.storage import StorageSettings


def quay_storage_config(settings: StorageSettings, *, bucket: str, access_key: Optional[str] = None,
                        secret_key: Optional[str] = None) -> dict[str, Any]:
    """The registry layer uses this as is. Without keys Quay uses the default credential chain (IRSA)."""
    params: dict[str, Any] = {"s3_bucket": bucket, "storage_path": settings.storage_path, "s3_region": settings.region}
    if access_key is not None:
        params.update(s3_access_key=access_key, s3_secret_key=secret_key)
    location = settings.location_id
    return {
        "DISTRIBUTED_STORAGE_CONFIG": {location: ["S3Storage", params]},
        "DISTRIBUTED_STORAGE_PREFERENCE": [location],
        "DISTRIBUTED_STORAGE_DEFAULT_LOCATIONS": [],
        "USERFILES_LOCATION": location,
        "LOG_ARCHIVE_LOCATION": location,
        "ACTION_LOG_ARCHIVE_LOCATION": location,
    }
