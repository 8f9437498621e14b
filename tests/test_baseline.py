"""After each test whose writes commit, the database is flushed and its
baseline rows (what the migrations wrote) come back through
tests/databases.py's restore: they must come back whole."""

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase

from testimonies.models import Community
from tests.markers import committed_db


@committed_db
def test_the_baseline_comes_back_whole_after_a_flush():
    baseline = connection._test_serialized_contents
    Community.objects.create(slug="added-by-a-test", name="Added")
    Group.objects.filter(name="researcher").delete()
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    assert not Group.objects.exists()

    connection.creation.deserialize_db_from_string(baseline)

    assert connection.creation.serialize_db_to_string() == baseline
    assert Group.objects.filter(name="researcher").exists()
    assert not Community.objects.filter(slug="added-by-a-test").exists()


class OneCommittedTest(TransactionTestCase):
    """Stands for any test whose writes commit, as pytest-django runs it."""

    __test__ = False  # not collected: run by hand below
    databases = {"default"}

    def runTest(self):  # noqa: N802 (unittest's name)
        pass


@committed_db
def test_the_baseline_is_back_as_soon_as_a_committed_test_ends():
    """A worker may take a test in a rolled-back transaction right after one
    whose writes commit: it must find the role groups, not an empty database."""
    baseline = connection._test_serialized_contents
    Community.objects.create(slug="added-by-a-test", name="Added")

    OneCommittedTest()._fixture_teardown()

    assert connection.creation.serialize_db_to_string() == baseline
    assert not Community.objects.filter(slug="added-by-a-test").exists()


@committed_db
def test_a_restore_brings_back_a_baseline_row_missing_without_a_flush():
    """A restore is skipped only where every baseline table is whole."""
    baseline = connection._test_serialized_contents
    Group.objects.filter(name="researcher").delete()

    connection.creation.deserialize_db_from_string(baseline)

    assert connection.creation.serialize_db_to_string() == baseline
