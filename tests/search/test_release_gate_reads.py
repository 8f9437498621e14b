"""The release gate where testimonies are read: an approved testimony whose
text holds a flagged word nobody decided (approved before the gate existed,
or changed since under the index's feet) is shown to no reader: not on its
page, not in search results, the API or exports. Its recording documenter
and moderators see it, with what waits."""

import pytest
from django.urls import reverse

from testimonies.models import Testimony
from testimonies.vault.identity import identity_store
from tests import factories
from tests.markers import committed_db

pytestmark = committed_db

WORD = "orchard"


@pytest.fixture
def approved_with_word_to_decide(documenter):
    """Approved and indexed while clean; then, without the index being told,
    its translation gains على while its witness is called علي."""
    testimony = factories.testimony(
        witness_name="Ali Haidar",
        narrative=f"Gunmen came at night; we hid in the {WORD}.",
        recorded_by=documenter,
    )
    identity_store(
        witness=testimony.witness, name="Ali Haidar", name_variants=["علي حيدر"]
    )
    changed = Testimony.objects.get(pk=testimony.pk)
    changed.translations = {"ar": "جلسنا على الأرض."}
    changed.seal()
    # A write the signals do not see: the index keeps the clean document.
    Testimony.objects.filter(pk=testimony.pk).update(
        sealed_content=changed.sealed_content
    )
    return testimony


def page(testimony):
    return reverse("testimonies:detail", kwargs={"public_id": testimony.public_id})


@pytest.mark.parametrize("role", ["anonymous", "researcher"])
def test_its_page_is_404_to_readers(
    approved_with_word_to_decide, users, client_for, role
):
    response = client_for(users[role]).get(page(approved_with_word_to_decide))
    assert response.status_code == 404


def test_its_page_is_404_to_another_documenter(
    approved_with_word_to_decide, client_for
):
    other = factories.UserFactory(username="other-documenter")
    from django.contrib.auth.models import Group

    other.groups.add(Group.objects.get(name="documenter"))
    assert client_for(other).get(page(approved_with_word_to_decide)).status_code == 404


@pytest.mark.parametrize("role", ["documenter", "moderator"])
def test_its_documenter_and_moderators_see_what_waits(
    approved_with_word_to_decide, users, client_for, role
):
    response = client_for(users[role]).get(page(approved_with_word_to_decide))
    assert response.status_code == 200
    body = response.content.decode()
    assert "1 flagged word waits for a decision" in body
    assert "hidden from researchers and the public" in body


@pytest.mark.parametrize("role", ["anonymous", "researcher"])
def test_search_and_the_api_leave_it_out(
    approved_with_word_to_decide, users, client_for, role
):
    client = client_for(users[role])
    api = client.get("/api/search/", {"q": WORD}).json()
    assert api["count"] == 0 and api["results"] == []
    assert (
        approved_with_word_to_decide.public_id
        not in client.get("/search/", {"q": WORD}).content.decode()
    )


def test_exports_leave_it_out(approved_with_word_to_decide, researcher, client_for):
    client = client_for(researcher)
    exported = client.get("/search/export.json", {"q": WORD}).json()
    assert exported["results"] == []
    csv = client.get("/search/export.csv", {"q": WORD}).content.decode()
    assert approved_with_word_to_decide.public_id not in csv
