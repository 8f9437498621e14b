"""Checks of the search connection: a search cluster's deployment (`manage.py
check --deploy`), and the PostgreSQL engine's database.

The search index holds every testimony's redacted text and who may see it:
sent over plain HTTP, or to a cluster that asks no one for a password, it is
readable by anyone on the path or on the network.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@checks.register(checks.Tags.security, deploy=True)
def search_cluster_check(app_configs=None, **kwargs):
    warnings = []
    for alias, connection in settings.HAYSTACK_CONNECTIONS.items():
        if "URL" not in connection:
            continue  # embedded (Whoosh): nothing crosses the network
        url = urlsplit(connection["URL"])
        if url.hostname in LOOPBACK_HOSTS:
            continue
        if url.scheme != "https":
            warnings.append(
                checks.Warning(
                    f"The search connection {alias!r} reaches {url.hostname} "
                    "over plain HTTP: testimonies would cross the network "
                    "unencrypted.",
                    hint="Set ARCHIVE_SEARCH_URL to an https:// address.",
                    id="search.W001",
                )
            )
        if "http_auth" not in connection.get("KWARGS", {}):
            warnings.append(
                checks.Warning(
                    f"The search connection {alias!r} signs in to "
                    f"{url.hostname} with no account.",
                    hint="Set ARCHIVE_SEARCH_USERNAME and ARCHIVE_SEARCH_PASSWORD.",
                    id="search.W002",
                )
            )
    return warnings


@checks.register()
def search_postgres_check(app_configs=None, **kwargs):
    return postgres_engine_errors(
        settings.HAYSTACK_CONNECTIONS, settings.DATABASES["default"]["ENGINE"]
    )


def postgres_engine_errors(haystack_connections: dict, database_engine: str):
    """The PostgreSQL engine keeps its index in the default database: it
    needs that database to be PostgreSQL (its table and its text search
    exist nowhere else)."""
    errors = []
    for alias, connection in haystack_connections.items():
        if not connection["ENGINE"].startswith("search.postgres."):
            continue
        if not database_engine.endswith("postgresql"):
            errors.append(
                checks.Error(
                    f"The search connection {alias!r} uses PostgreSQL's "
                    "full-text search, and the default database is not "
                    "PostgreSQL.",
                    hint="Set DATABASE_URL to a PostgreSQL database, or "
                    "ARCHIVE_SEARCH_ENGINE to whoosh.",
                    id="search.E001",
                )
            )
    return errors
