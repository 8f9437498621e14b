"""Searching on PostgreSQL's streaming replicas (search.postgres.routers):
a testimony withdrawn on the primary is never listed, counted or faceted by
a replica that has not replayed the withdrawal yet.

Runs against a primary with two replicas
(`deploy/with_postgres.sh --replicas 2`); skipped otherwise, with that
reason. Replay is paused on the replicas while the testimony is withdrawn,
so the replicas lag for certain rather than by chance."""

import os
import time

import dj_database_url
import pytest
from django.db import connections
from django.db.backends.postgresql.base import DatabaseWrapper

from search.models import SearchDocument
from testimonies.consent.services.consent import consent_withdraw
from tests import factories
from tests.markers import committed_db
from tests.search.engines import needs_postgresql

REPLICA_URLS = [
    url for url in os.environ.get("ARCHIVE_TEST_REPLICA_URLS", "").split(",") if url
]
needs_replicas = pytest.mark.skipif(
    not REPLICA_URLS,
    reason="needs a PostgreSQL primary with streaming replicas "
    "(deploy/with_postgres.sh --replicas 2)",
)


@pytest.fixture
def replicas(settings):
    """The replicas as database aliases reading the suite's test database,
    searched by the PostgreSQL engine (ARCHIVE_SEARCH_REPLICAS)."""
    name = connections["default"].settings_dict["NAME"]
    aliases = []
    for number, url in enumerate(REPLICA_URLS, 1):
        alias = f"search_replica_{number}"
        config = {**dj_database_url.parse(url), "NAME": name}
        configured = connections.configure_settings({"default": {}, alias: config})
        # Made here rather than declared in DATABASES: pytest-django would
        # create (and flush) a test database on each, and a replica is
        # read-only. A connection made during a test is allowed by Django.
        connections[alias] = DatabaseWrapper(configured[alias], alias)
        aliases.append(alias)
    settings.ARCHIVE_SEARCH_REPLICAS = aliases
    try:
        yield aliases
    finally:
        for alias in aliases:
            connections[alias].close()
            del connections[alias]


def on_replica(alias, testimony) -> bool:
    return SearchDocument.objects.using(alias).filter(django_id=testimony.pk).exists()


def wait_for(condition, seconds=30.0) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, "the replicas did not catch up"
        time.sleep(0.01)
    return time.monotonic() - started


def primary_position() -> str:
    """Where the primary's log ends, commits not yet written out included.
    The test cluster commits without waiting for the log to be written
    (synchronous_commit=off): the write position (pg_current_wal_lsn) could
    still be before the last commit, and a replica waited up to it had not
    replayed that commit (and the search rightly left that testimony out)."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        return cursor.fetchone()[0]


def replayed_up_to(alias, position) -> bool:
    """Whether the replica has replayed the primary's log up to `position`.
    A document's row can be on a replica before its last update is: the
    row's existence alone does not say the replica has caught up."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
        return cursor.fetchone()[0]


def replay(alias, action):
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT pg_wal_replay_{action}()")


@needs_postgresql
@needs_replicas
@committed_db
@pytest.mark.slow
def test_a_withdrawal_on_the_primary_is_never_counted_on_a_lagging_replica(
    postgres_engine, replicas, researcher, client_for
):
    target = factories.testimony(
        narrative="Gunmen burned the old market.", event_types=("arson",)
    )
    other = factories.testimony(
        narrative="Gunmen shot at the old market.", event_types=("killing",)
    )
    position = primary_position()
    for alias in replicas:
        wait_for(lambda a=alias: replayed_up_to(a, position))
    for alias in replicas:
        replay(alias, "pause")
    try:
        consent_withdraw(
            testimony=target, scopes=None, reason="afraid", obtained_by="phone"
        )
        primary = SearchDocument.objects.using("default")
        assert not primary.filter(django_id=target.pk).exists()
        # The replicas lag: they still hold the withdrawn document.
        assert all(on_replica(alias, target) for alias in replicas)
        for _ in range(4):  # the router picks a replica at random
            with postgres_engine.reading() as (rows, alias):
                assert alias in replicas
                assert list(rows.values_list("django_id", flat=True)) == [other.pk]
            body = client_for(researcher).get("/api/search/", {"q": "market"}).json()
            assert [r["id"] for r in body["results"]] == [other.public_id]
            assert body["count"] == 1
            assert {f["slug"] for f in body["facets"]["event_type"]} == {"killing"}
    finally:
        for alias in replicas:
            replay(alias, "resume")
    for alias in replicas:
        wait_for(lambda a=alias: not on_replica(a, target))
