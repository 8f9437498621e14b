"""What the PostgreSQL run leaves to the SQLite run (tests/conftest.py):
only the tests that cannot touch the suite's database."""

from types import SimpleNamespace

from django.contrib.auth import get_user_model

from tests import databases, factories
from tests.databases import ON_POSTGRESQL, SAME_ON_EVERY_DATABASE, touches_the_database
from tests.markers import committed_db


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


@committed_db
def test_a_test_whose_writes_commit_leaves_only_the_baseline_behind():
    """What the teardown of such a test does (database_emptied, the same
    emptying: DELETE on PostgreSQL, Django's flush on SQLite): every row
    the test wrote is gone, in tables with foreign keys between them, and
    the role groups and vocabularies are back, with their links."""
    from django.contrib.auth.models import Group

    from testimonies.models import Community, ConsentRecord, Testimony

    groups = sorted(Group.objects.values_list("name", flat=True))
    group_permissions = Group.permissions.through.objects.count()
    communities = Community.objects.count()
    documenter = factories.user_in("documenter")
    factories.testimony(recorded_by=documenter)
    Community.objects.create(slug="leftover", name="Leftover")
    assert Testimony.objects.count() == ConsentRecord.objects.count() == 1

    databases.database_emptied()

    assert not Testimony.objects.exists() and not ConsentRecord.objects.exists()
    assert not get_user_model().objects.exists()
    assert sorted(Group.objects.values_list("name", flat=True)) == groups
    assert Community.objects.count() == communities
    assert not Community.objects.filter(slug="leftover").exists()
    assert Group.permissions.through.objects.count() == group_permissions
