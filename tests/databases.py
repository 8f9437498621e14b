"""Which database the suite runs on (archive/settings/test.py), and a
scratch database on the same server for tests that start other processes."""

import secrets
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

# Tests that read SQLite's own files for bytes left behind. They run their own
# SQLite installation in a temporary folder, so they are the same on every run:
# the SQLite run has them; PostgreSQL keeps no such file (docs/production.md,
# PostgreSQL).
sqlite_files = pytest.mark.skipif(
    ON_POSTGRESQL,
    reason="reads SQLite's database files; runs in the SQLite run of the suite",
)


def database_dump() -> str:
    """Every row of every table as text, as someone with a database shell
    would read them: SQLite's own dump, or on PostgreSQL each row as JSON.
    (Live rows only: rows deleted on PostgreSQL linger in its pages until
    VACUUM: docs/production.md, PostgreSQL.)"""
    connection.ensure_connection()
    if not ON_POSTGRESQL:
        return "\n".join(connection.connection.iterdump())
    lines = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT row_to_json(t)::text FROM {quoted} t")  # noqa: S608
            lines += [f"{table}: {row}" for (row,) in cursor.fetchall()]
    return "\n".join(lines)


@contextmanager
def scratch_database_url(tmp_path):
    """A DATABASE_URL for other processes, on the engine the suite runs on:
    a SQLite file in `tmp_path`, or a new database on the PostgreSQL server
    (dropped afterwards)."""
    if not ON_POSTGRESQL:
        yield f"sqlite:///{tmp_path / 'archive.sqlite3'}"
        return
    import psycopg

    name = f"scratch_{secrets.token_hex(6)}"
    db = settings.DATABASES["default"]
    server = {
        "host": db["HOST"], "port": db["PORT"], "user": db["USER"],
        "password": db["PASSWORD"],
    }  # fmt: skip
    # CREATE DATABASE cannot run inside the test's transaction: a connection
    # of its own, outside any.
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f"CREATE DATABASE {name}")
        try:
            yield (
                f"postgres://{server['user']}:{server['password']}"
                f"@{server['host']}:{server['port']}/{name}"
            )
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
