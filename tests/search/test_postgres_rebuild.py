"""The PostgreSQL engine's bulk rebuild (search.postgres.rebuild): the rows
it builds are the rows the per-save path writes, byte for byte; a
testimony withdrawn while it runs does not come back; and a rebuild killed
at any point leaves the old index whole for readers."""

import multiprocessing
import os
import signal
import time

import pytest
from django.core.management import call_command
from django.db import connection, connections

from search.indexing import testimonies_reindex
from search.models import SearchDocument
from search.postgres import rebuild
from testimonies.consent.services.consent import consent_withdraw
from testimonies.models import Testimony
from tests import factories
from tests.markers import committed_db
from tests.search.engines import needs_postgresql

pytestmark = needs_postgresql


def rows() -> list[tuple]:
    """Every row of the index, every column (the vector as PostgreSQL
    writes it out), in order."""
    table = SearchDocument._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT *, search_vector::text FROM {table} ORDER BY identifier"  # noqa: S608
        )
        return cursor.fetchall()


def withdraw(testimony, scopes=None):
    consent_withdraw(
        testimony=testimony,
        scopes=scopes,
        reason="the family is afraid",
        obtained_by="phone call",
    )


def some_testimonies() -> list[Testimony]:
    """English and Arabic accounts, one generalised for the public, one
    withdrawn from the public only, one withdrawn wholly."""
    banias = factories.place("banias", "Banias", name_ar="بانياس")
    made = [
        factories.testimony(narrative="Gunmen came to the old market in Banias."),
        factories.testimony(
            witness_name="Omar Saleh",
            narrative="جاء المسلحون إلى البيت وقتلوا والدي عند الحاجز في بانياس.",
            language="ar",
            places=[banias],
        ),
        factories.testimony(
            narrative="They looted the shops near the checkpoint.", places=[banias]
        ),
        factories.testimony(narrative="The soldiers burned the houses by the river."),
        factories.testimony(narrative="My brother was taken at the bakery."),
    ]
    Testimony.objects.filter(pk=made[2].pk).update(
        public_date_precision="year", public_place_levels_up=1
    )
    testimonies_reindex([t.pk for t in made])
    withdraw(made[3], scopes=["public"])
    withdraw(made[4])
    return made


def test_a_bulk_built_row_is_the_save_built_row(postgres_engine, db):
    made = some_testimonies()
    saved = rows()
    assert {row[0] for row in saved} == {
        f"testimonies.testimony.{t.pk}" for t in made[:4]
    }
    outcome = rebuild.index_rebuild(workers=1, progress=False)
    assert outcome.written == 4
    assert rows() == saved


def test_a_testimony_withdrawn_during_a_rebuild_does_not_come_back(postgres_engine, db):
    made = some_testimonies()
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        (started,) = cursor.fetchone()
        rebuild._build_start(cursor)
    rebuild._write_batch([t.pk for t in made])
    # Read by the rebuild, then withdrawn, wholly and from the public.
    withdraw(made[0])
    withdraw(made[1], scopes=["public"])
    with connection.cursor() as cursor:
        rebuild._build_finish(cursor)
        rebuild._swap(cursor, started)
    assert not SearchDocument.objects.filter(django_id=made[0].pk).exists()
    assert "public" not in SearchDocument.objects.get(django_id=made[1].pk).audiences
    assert SearchDocument.objects.filter(django_id=made[2].pk).exists()


def test_rebuild_index_takes_the_bulk_path(postgres_engine, db):
    made = some_testimonies()
    saved = rows()
    with connection.cursor() as cursor:
        # What an interrupted rebuild left: dropped, not read.
        rebuild._build_start(cursor)
        cursor.execute(
            f"INSERT INTO {rebuild.build_table()} SELECT * FROM "  # noqa: S608
            f"{SearchDocument._meta.db_table}"
        )
    call_command("rebuild_index", "--noinput", "--workers", "1", verbosity=0)
    assert rows() == saved
    assert len(made) == 5
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [rebuild.build_table()])
        assert cursor.fetchone() == (None,)


# -- killed -----------------------------------------------------------------------


def _rebuild_in_child(batch_size):
    connections.close_all()  # the parent's, inherited by the fork
    try:
        rebuild.index_rebuild(workers=1, batch_size=batch_size, progress=False)
    finally:
        os._exit(0)


def _started_child(batch_size=1):
    context = multiprocessing.get_context("fork")
    connections.close_all()
    child = context.Process(target=_rebuild_in_child, args=(batch_size,))
    child.start()
    return child


def _wait(condition, seconds=60.0):
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds
        time.sleep(0.02)


def _build_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [rebuild.build_table()])
        if cursor.fetchone() == (None,):
            return 0
        cursor.execute(f"SELECT count(*) FROM {rebuild.build_table()}")  # noqa: S608
        return cursor.fetchone()[0]


def _waiting_for_the_lock(other) -> bool:
    """Whether a session waits for a lock on the index's table (pg_locks:
    pg_stat_activity would answer from the snapshot `other`'s transaction
    took first)."""
    with other.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks "
            "WHERE NOT granted AND relation = %s::regclass",
            [SearchDocument._meta.db_table],
        )
        return cursor.fetchone()[0] > 0


def _kill(child):
    os.kill(child.pid, signal.SIGKILL)
    child.join(timeout=30)
    assert child.exitcode == -signal.SIGKILL


@committed_db
@pytest.mark.slow
def test_a_rebuild_killed_at_any_point_leaves_the_old_index_whole(postgres_engine):
    with factories.together():
        made = [
            factories.testimony(narrative=f"Gunmen came to the market, day {n}.")
            for n in range(40)
        ]
    testimonies_reindex([t.pk for t in made])
    before = rows()
    assert len(before) == 40

    # Killed while it writes its new table, one testimony a batch.
    child = _started_child()
    _wait(lambda: _build_rows() >= 3)
    _kill(child)
    assert rows() == before

    # Killed inside its swap, waiting for the index's lock (held by
    # another connection, as a save holds it while it writes).
    locker = connections.create_connection("default")
    try:
        with locker.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(
                f"LOCK TABLE {SearchDocument._meta.db_table} IN ROW EXCLUSIVE MODE"
            )
        child = _started_child(batch_size=100)
        _wait(lambda: _waiting_for_the_lock(locker))
        _kill(child)
        with locker.cursor() as cursor:
            cursor.execute("ROLLBACK")
    finally:
        locker.close()
    assert rows() == before

    # The next rebuild drops what the killed ones left, and completes.
    rebuild.index_rebuild(workers=1, progress=False)
    assert rows() == before
    assert _build_rows() == 0
