"""What the PostgreSQL run leaves to the SQLite run (tests/conftest.py):
only the tests that cannot touch the suite's database."""

from types import SimpleNamespace

from tests import databases
from tests.databases import ON_POSTGRESQL, SAME_ON_EVERY_DATABASE, touches_the_database


def test_a_test_without_the_database_does_not_touch_it(request):
    assert not touches_the_database(request.node)


def test_a_test_with_the_database_touches_it(request, db):
    assert touches_the_database(request.node)


def test_the_postgresql_run_skips_only_what_cannot_touch_the_database(request, db):
    (without,) = [
        item
        for item in request.session.items
        if item.name == "test_a_test_without_the_database_does_not_touch_it"
    ]
    skip = without.get_closest_marker("skip")
    if ON_POSTGRESQL:
        assert skip is not None and skip.kwargs["reason"] == SAME_ON_EVERY_DATABASE
    else:
        assert skip is None
    assert request.node.get_closest_marker("skip") is None


def test_a_module_that_makes_scratch_databases_touches_the_database():
    """Its processes reach the suite's server (a PostgreSQL database of its
    own in the PostgreSQL run), with or without a database fixture. (This
    module imports `databases`, not the function: it would count.)"""

    def item_in(module):
        return SimpleNamespace(
            get_closest_marker=lambda name: None, fixturenames=[], module=module
        )

    assert touches_the_database(
        item_in(SimpleNamespace(scratch_database_url=databases.scratch_database_url))
    )
    assert not touches_the_database(item_in(SimpleNamespace()))
