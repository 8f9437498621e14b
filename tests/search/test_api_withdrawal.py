"""/api/search/ after a withdrawal, or a change the index never heard of:
the answer follows the database at once (docs/api.md)."""

from testimonies.consent.services.consent import consent_withdraw
from tests.markers import committed_db
from tests.search.test_api import api, ids

pytestmark = committed_db


def test_withdrawal_removes_the_testimony_from_the_api_at_once(
    archive, users, client_for
):
    testimony = archive["kusour"]
    consent_withdraw(testimony=testimony, scopes=None, reason="afraid", obtained_by="d")
    for role in ["anonymous", "researcher", "documenter"]:
        assert testimony.public_id not in ids(api(client_for, users[role], q="Kusour"))
    # Moderators keep it in the admin, but it has left the index entirely.
    assert testimony.public_id not in ids(api(client_for, users["moderator"]))


def test_withdrawing_public_keeps_it_for_researchers(archive, users, client_for):
    testimony = archive["banias"]
    consent_withdraw(
        testimony=testimony, scopes=["public"], reason="r", obtained_by="d"
    )
    assert testimony.public_id not in ids(api(client_for, users["anonymous"]))
    assert testimony.public_id in ids(api(client_for, users["researcher"]))


def test_stale_index_entries_are_hidden_by_the_database_check(
    archive, users, client_for, search_index
):
    """Even if the index lags behind, the database has the last word."""
    from testimonies.models import Testimony

    testimony = archive["kusour"]
    # Change consent in the database without letting the index hear of it.
    Testimony.objects.filter(pk=testimony.pk).update(status="submitted")
    answer = api(client_for, users["anonymous"], q="Kusour")
    assert answer["results"] == [] and answer["count"] == 0
