"""The same search tests on every engine that can run here.

`each_engine` runs a test once on the embedded Whoosh engine and once on
PostgreSQL's full-text search (search.postgres). The PostgreSQL run needs
the suite's database to be PostgreSQL (`make test-postgres`); in the SQLite
run it is skipped, with that reason. Only the tests that prove what an
engine does (the judged quality set, the syntax, facets, Arabic groups,
suggestions, similar testimonies, withdrawal) take it: the rest of the
suite does not depend on the engine and runs once.
"""

import pytest
from haystack import connections

from archive.settings.base import SEARCH_ENGINES
from tests.databases import ON_POSTGRESQL

needs_postgresql = pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="PostgreSQL's full-text search runs only when the suite's database "
    "is PostgreSQL (make test-postgres)",
)

POSTGRES_CONNECTION = {"ENGINE": SEARCH_ENGINES["postgres"], "SILENTLY_FAIL": False}


def engine_use(connection: dict) -> dict:
    """Make `connection` haystack's default connection in this process;
    returns the one it replaces."""
    replaced = connections.connections_info["default"]
    connections.connections_info["default"] = connection
    connections.reload("default")
    return replaced


@pytest.fixture(
    params=["whoosh", pytest.param("postgres", marks=needs_postgresql)],
)
def each_engine(request, search_index):
    """The test runs on this engine (its name), its index empty."""
    if request.param == "whoosh":
        yield "whoosh"
        return
    # Its table starts empty, as every table does: a test that commits
    # leaves the database flushed.
    replaced = engine_use(POSTGRES_CONNECTION)
    try:
        yield "postgres"
    finally:
        engine_use(replaced)


@pytest.fixture
def postgres_engine(search_index):
    """PostgreSQL's full-text search for this test (skipped off PostgreSQL:
    mark the test with needs_postgresql)."""
    replaced = engine_use(POSTGRES_CONNECTION)
    try:
        yield connections["default"].get_backend()
    finally:
        engine_use(replaced)
