"""Quay's config.yaml as data (pure functions), and its rendering through templates/quay-config.yaml.j2."""
from typing import Any, Optional
from urllib.parse import quote

from quaykit.settings.registry import RegistrySettings

from ..templating import render

TAG_EXPIRATION_OPTIONS = ["0s", "1d", "1w", "2w", "4w"]


def database_uri(*, user: str, password: str, host: str, port: int, name: str) -> str:
    return f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}@{host}:{port}/{name}"


def redis_block(*, host: str, port: int, password: Optional[str], ssl: bool) -> dict[str, Any]:
    block: dict[str, Any] = {"host": host, "port": port}
    if password:
        block["password"] = password
    if ssl:
        block["ssl"] = True
    return block


def quay_config_sections(settings: RegistrySettings, *, db_uri: str, redis: dict[str, Any],
                         storage: dict[str, Any], secret_key: str, database_secret_key: str,
                         build_manager: Optional[dict[str, Any]] = None) -> dict[str, dict[str, Any]]:
    """Every key Quay needs to boot, grouped for a readable file (../shared/DOMAIN.md §1)."""
    sections: dict[str, dict[str, Any]] = {
        "Server": {
            "SETUP_COMPLETE": True,
            "PREFERRED_URL_SCHEME": "https",
            "SERVER_HOSTNAME": settings.hostname,
            # TLS ends at the ingress; Quay serves plain HTTP on 8080 behind it.
            "EXTERNAL_TLS_TERMINATION": True,
            "AUTHENTICATION_TYPE": "Database",
            "SUPER_USERS": list(settings.superusers),
            "FEATURE_USER_CREATION": False,
        },
        "Secrets (generated once, kept in Pulumi state)": {
            "SECRET_KEY": secret_key,
            "DATABASE_SECRET_KEY": database_secret_key,
        },
        "Database": {"DB_URI": db_uri, "DB_CONNECTION_ARGS": {"autorollback": True, "threadlocals": True}},
        "Redis": {"BUILDLOGS_REDIS": redis, "USER_EVENTS_REDIS": redis},
        "Storage (from the storage layer)": dict(storage),
        "Tags": {"DEFAULT_TAG_EXPIRATION": "2w", "TAG_EXPIRATION_OPTIONS": TAG_EXPIRATION_OPTIONS},
    }
    if build_manager:
        sections["Builds (from the build pool layer)"] = dict(build_manager)
    else:
        sections["Builds"] = {"FEATURE_BUILD_SUPPORT": False}
    return sections


def render_quay_config(environment: str, sections: dict[str, dict[str, Any]]) -> str:
    return render("quay-config.yaml.j2", {"environment": environment, "sections": sections})
