"""Which database the suite runs on (archive/settings/test.py), and a
scratch database on the same server for tests that start other processes."""

import functools
import secrets
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, connections, transaction

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

# Tests that read SQLite's own files for bytes left behind. They run their own
# SQLite installation in a temporary folder, so they are the same on every run:
# the SQLite run has them; PostgreSQL keeps no such file (docs/production.md,
# PostgreSQL).
# The fixtures through which a test reaches the suite's database.
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
    }
)

# What the PostgreSQL run skips, and why.
SAME_ON_EVERY_DATABASE = (
    "does not touch the suite's database, so it cannot differ from the SQLite run, "
    "which runs it"
)


def touches_the_database(item) -> bool:
    """Does this test reach the database the suite runs on: through
    pytest-django (a `django_db` mark, a database fixture, the live server)
    or through a scratch database on the same server for its own processes?
    A test that does not is the same on SQLite and on PostgreSQL: the two
    runs differ only in ARCHIVE_TEST_DATABASE_URL, which other processes
    never read (they are given their own DATABASE_URL, or none)."""
    if item.get_closest_marker("django_db") is not None:
        return True
    if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    module = getattr(item, "module", None)
    return getattr(module, "scratch_database_url", None) is not None


sqlite_files = pytest.mark.skipif(
    ON_POSTGRESQL,
    reason="reads SQLite's database files; runs in the SQLite run of the suite",
)


# Tests that judge what the browser makes of markup and styles (the
# accessibility scan, the layout on each screen, the focus order, the
# Content-Security-Policy's refusals): the same templates render the same
# elements whatever database filled them, and the views behind those pages
# run on PostgreSQL in the rest of the suite.
markup_only = pytest.mark.skipif(
    ON_POSTGRESQL,
    reason="checks markup, which the database does not shape; runs in the "
    "SQLite run of the suite",
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
            # The host may be a Unix socket's folder: percent-encoded.
            host = quote(server["host"], safe="")
            yield (
                f"postgres://{server['user']}:{server['password']}"
                f"@{host}:{server['port']}/{name}"
            )
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@functools.cache
def _baseline(data: str) -> list[tuple[type, list[dict]]]:
    """The rows a fresh test database holds (role groups, vocabularies,
    permissions: what the migrations wrote, as Django serialised them for
    `serialized_rollback`), grouped by model in the order Django wrote them,
    many-to-many links after their rows. Parsed once per worker."""
    grouped: list[tuple[type, list[dict]]] = []
    links: list[tuple[type, list[dict]]] = []
    for item in serializers.deserialize("json", data):
        obj, model = item.object, type(item.object)
        values = {
            f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields
        }
        if grouped and grouped[-1][0] is model:
            grouped[-1][1].append(values)
        else:
            grouped.append((model, [values]))
        for name, targets in (item.m2m_data or {}).items():
            field = model._meta.get_field(name)
            through = field.remote_field.through
            source, target = field.m2m_column_name(), field.m2m_reverse_name()
            if targets:
                links.append(
                    (through, [{source: obj.pk, target: pk} for pk in targets])
                )
    return grouped + links


def _baseline_in_place(alias: str, data: str) -> bool:
    """Does every baseline table hold as many rows as the baseline? Then it
    holds the baseline: a test whose writes commit is flushed and given the
    baseline back at its end, and other tests roll back. So the restore
    Django asks for again at the start of the next such test (and on the
    first test, over the rows the migrations wrote) has nothing to do; it
    cost a few milliseconds for each of them."""
    expected: dict[type, int] = {}
    for model, rows in _baseline(data):
        expected[model] = expected.get(model, 0) + len(rows)
    return all(
        model._base_manager.using(alias).count() == count
        for model, count in expected.items()
    )


def restore_baseline(creation, data: str) -> None:
    """What Django's `deserialize_db_from_string` does after each test whose
    writes commit, one INSERT per table instead of an UPDATE and an INSERT
    per row (and without their signals, which have nothing to act on in
    an empty database): on PostgreSQL that was a third of a second
    before each such test. The same rows, the same constraint check."""
    alias = creation.connection.alias
    if _baseline_in_place(alias, data):
        return
    with transaction.atomic(using=alias):
        with creation.connection.constraint_checks_disabled():
            for model, rows in _baseline(data):
                # The first test of a worker finds the rows the migrations
                # wrote still there (nothing flushed them yet): they are
                # the same rows, so conflicts are skipped.
                model._base_manager.using(alias).bulk_create(
                    [model(**values) for values in rows], ignore_conflicts=True
                )
        creation.connection.check_constraints(
            table_names=[model._meta.db_table for model, _ in _baseline(data)]
        )
        # The rows came back with their own ids. A flush that restarted the
        # id sequences (`flush` run by hand does) would otherwise hand those
        # same ids to the next rows a test writes, as loaddata's sequence
        # reset prevents (a no-op on SQLite, which counts from the table).
        reset = creation.connection.ops.sequence_reset_sql(
            no_style(), [model for model, _ in _baseline(data)]
        )
        if reset:
            with creation.connection.cursor() as cursor:
                for statement in reset:
                    cursor.execute(statement)


def _emptied_by_delete(alias: str) -> None:
    """What Django's flush does to a PostgreSQL database (every table of the
    project emptied, the id sequences left as they are, no post_migrate),
    with DELETE instead of TRUNCATE, in one statement: TRUNCATE gives each of
    the fifty tables new files, about a tenth of a second after every test
    whose writes commit; deleting the few rows a test wrote takes
    milliseconds. Django's foreign keys on PostgreSQL are checked at commit
    (DEFERRABLE INITIALLY DEFERRED), when every table is empty, so the order
    does not matter; no table has a trigger."""
    connection = connections[alias]
    tables = connection.introspection.django_table_names(
        only_existing=True, include_views=False
    )
    quoted = map(connection.ops.quote_name, tables)
    deletes = " ".join(f"DELETE FROM {table};" for table in quoted)  # noqa: S608
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute(f"DO $$ BEGIN {deletes} END $$")


def _has_baseline(alias: str) -> bool:
    return bool(getattr(connections[alias], "_test_serialized_contents", None))


def baseline_restored_after(flush):
    """Django's teardown of a test whose writes commit (`flush`: it empties
    the database), followed by the baseline rows' return, for every database
    that has them. On PostgreSQL, a database with its baseline is emptied by
    _emptied_by_delete rather than by Django's flush."""

    @functools.wraps(flush)
    def flush_then_restore(test):
        # As a test with serialized_rollback does: the flush then leaves the
        # content types and permissions to the baseline rather than making
        # them anew under other ids (as live_server's tests would).
        test.serialized_rollback = True
        aliases = test._databases_names(include_mirrors=False)
        deleting = [
            alias
            for alias in aliases
            if connections[alias].vendor == "postgresql" and _has_baseline(alias)
        ]
        if len(deleting) == len(aliases):
            for alias in aliases:
                _emptied_by_delete(alias)
        else:
            flush(test)
        for alias in aliases:
            if _has_baseline(alias):
                baseline = connections[alias]._test_serialized_contents
                restore_baseline(connections[alias].creation, baseline)

    return flush_then_restore


def baseline_kept() -> None:
    """Serialise the baseline rows of every database, as the set-up does
    when a collected test's writes commit, if it has not: a module whose
    data is built once (`index_kept`) empties the database when it ends,
    and in a run of only such modules the next one would find no role
    groups."""
    for alias in connections:
        connection = connections[alias]
        if not getattr(connection, "_test_serialized_contents", None):
            contents = connection.creation.serialize_db_to_string()
            connection._test_serialized_contents = contents


def database_emptied() -> None:
    """Empty the suite's database as a test whose writes commit leaves it
    (Django's flush, then the baseline rows back), for what a module-scoped
    fixture committed (`index_kept`)."""
    for alias in connections:
        if connections[alias].vendor == "postgresql" and _has_baseline(alias):
            _emptied_by_delete(alias)
        else:
            call_command(
                "flush", database=alias, interactive=False, verbosity=0,
                inhibit_post_migrate=True,
            )  # fmt: skip
        if _has_baseline(alias):
            baseline = connections[alias]._test_serialized_contents
            restore_baseline(connections[alias].creation, baseline)
