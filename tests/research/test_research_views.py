"""The researchers' tools up the ladder: every view for every role, each
user trying another's saved search, note and collection (404), notes hidden
with their testimony and from everyone else, collections following what
their owner may read now, and their exports following the search exports'
rules."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from openpyxl import load_workbook

from archive.models import AuditEntry
from research.models import Collection, CollectionItem, Note, SavedSearch
from research.services import collection_add, collection_create, note_create
from search.audit_actions import AuditAction as SearchAction
from testimonies.consent.services.consent import consent_withdraw
from testimonies.consent.services.erasure import testimony_erase
from tests import factories

pytestmark = pytest.mark.django_db

HOME = reverse("research:home", urlconf="archive.urls")


@pytest.fixture
def other_researcher(db):
    user = factories.UserFactory(username="other-researcher")
    user.groups.add(Group.objects.get(name="researcher"))
    return user


@pytest.fixture
def open_testimony(coast):
    return factories.testimony(
        witness_name="Layla Haddad",
        narrative="Gunmen came to our street in Banias.",
        places=[coast["banias"]],
    )


@pytest.fixture
def kept(researcher, open_testimony):
    """A researcher's note, collection and saved search."""
    collection = collection_create(owner=researcher, name="Banias, 7 March")
    collection_add(collection=collection, testimony=open_testimony)
    return {
        "note": note_create(
            author=researcher, testimony=open_testimony, text="Compare with Kusour."
        ),
        "collection": collection,
        "search": SavedSearch.objects.create(
            owner=researcher, name="Banias", query="q=Banias"
        ),
    }


def urls(kept, testimony):
    """Every research URL, as (method, url, data)."""
    note, collection, saved = kept["note"], kept["collection"], kept["search"]
    c = collection.public_id
    return [
        ("get", HOME, {}),
        ("post", reverse("research:saved-search-save"), {"name": "x", "query": ""}),
        ("post", reverse("research:saved-search-open", args=[saved.public_id]), {}),
        ("post", reverse("research:saved-search-delete", args=[saved.public_id]), {}),
        ("get", reverse("research:testimony", args=[testimony.public_id]), {}),
        (
            "post",
            reverse("research:testimony", args=[testimony.public_id]),
            {"add_note": "1", "text": "mine"},
        ),
        ("post", reverse("research:note-delete", args=[note.public_id]), {}),
        ("post", reverse("research:collection-create"), {"name": "y"}),
        ("get", reverse("research:collection", args=[c]), {}),
        ("post", reverse("research:collection", args=[c]), {"delete_collection": 1}),
        ("get", reverse("research:collection-export-csv", args=[c]), {}),
        ("get", reverse("research:collection-export-xlsx", args=[c]), {}),
    ]


def _nothing_changed(kept):
    assert Note.objects.filter(pk=kept["note"].pk).exists()
    assert Collection.objects.filter(pk=kept["collection"].pk).exists()
    assert SavedSearch.objects.filter(pk=kept["search"].pk).exists()
    assert Collection.objects.count() == 1 and Note.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(kept, open_testimony, client_for):
    client = client_for(None)
    for method, url, data in urls(kept, open_testimony):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"], url
    _nothing_changed(kept)


def test_signed_in_users_without_a_role_are_refused(kept, open_testimony, client_for):
    client = client_for(factories.UserFactory(username="no-role"))
    for method, url, data in urls(kept, open_testimony):
        assert getattr(client, method)(url, data).status_code == 403, url
    _nothing_changed(kept)


def test_an_unverified_moderator_is_sent_to_the_second_factor(
    kept, open_testimony, moderator, client_for
):
    client = client_for(moderator, verified=False)
    for method, url, data in urls(kept, open_testimony):
        response = getattr(client, method)(url, data)
        assert response["Location"].startswith(reverse("two-factor")), url
    _nothing_changed(kept)


@pytest.mark.parametrize("role", ["other-researcher", "documenter", "moderator"])
def test_another_account_gets_404_for_what_is_not_theirs(
    kept, open_testimony, users, other_researcher, client_for, role
):
    """Each of another account's objects is a 404 (the testimony's own page
    is theirs to use, with their own notes: left out here)."""
    user = other_researcher if role == "other-researcher" else users[role]
    client = client_for(user)
    for method, url, data in urls(kept, open_testimony):
        if url in (HOME, reverse("research:saved-search-save")) or (
            "collections/" == url.removeprefix("/research/")
        ):
            continue
        if "/testimonies/" in url:
            continue
        response = getattr(client, method)(url, data)
        expected = {404} if "export" not in url or role != "documenter" else {403}
        assert response.status_code in expected, (url, response.status_code)
    _nothing_changed(kept)
    # Their own research page lists none of it.
    body = client.get(HOME).content.decode()
    assert "Banias, 7 March" not in body and kept["search"].name not in body
    page = client.get(reverse("research:testimony", args=[open_testimony.public_id]))
    assert "Compare with Kusour" not in page.content.decode()


def test_the_owner_uses_each_view(kept, open_testimony, researcher, client_for):
    client = client_for(researcher)
    assert client.get(HOME).status_code == 200
    page = client.get(reverse("research:testimony", args=[open_testimony.public_id]))
    assert page.status_code == 200
    assert "Compare with Kusour." in page.content.decode()
    collection = kept["collection"]
    detail = client.get(reverse("research:collection", args=[collection.public_id]))
    assert detail.status_code == 200
    assert open_testimony.witness.pseudonym in detail.content.decode()
    # A second note, then the first one deleted.
    client.post(
        reverse("research:testimony", args=[open_testimony.public_id]),
        {"add_note": "1", "text": "Ask about the checkpoint."},
    )
    client.post(reverse("research:note-delete", args=[kept["note"].public_id]))
    assert list(Note.objects.values_list("text", flat=True)) == [
        "Ask about the checkpoint."
    ]
    # Into a new collection, out of the first one.
    client.post(
        reverse("research:testimony", args=[open_testimony.public_id]),
        {"add_to_collection": "1", "new_name": "Checkpoints"},
    )
    client.post(
        reverse("research:testimony", args=[open_testimony.public_id]),
        {"remove_from_collection": "1", "collection": collection.public_id},
    )
    assert list(CollectionItem.objects.values_list("collection__name", flat=True)) == [
        "Checkpoints"
    ]


def test_a_testimony_one_may_not_read_has_no_research_page(
    researcher, client_for, documenter
):
    draft = factories.testimony(status="draft", recorded_by=documenter)
    client = client_for(researcher)
    url = reverse("research:testimony", args=[draft.public_id])
    assert client.get(url).status_code == 404
    client.post(url, {"add_note": "1", "text": "x"})
    client.post(url, {"add_to_collection": "1", "new_name": "x"})
    assert not Note.objects.exists() and not Collection.objects.exists()


def test_notes_are_hidden_with_their_testimony(
    kept, open_testimony, researcher, client_for
):
    consent_withdraw(
        testimony=open_testimony, scopes=None, reason="asked", obtained_by="x"
    )
    client = client_for(researcher)
    url = reverse("research:testimony", args=[open_testimony.public_id])
    assert client.get(url).status_code == 404
    delete = reverse("research:note-delete", args=[kept["note"].public_id])
    assert client.post(delete).status_code == 404
    # The collection leaves it out and says so.
    detail = client.get(
        reverse("research:collection", args=[kept["collection"].public_id])
    )
    body = detail.content.decode()
    assert open_testimony.witness.pseudonym not in body
    assert "1 testimony in this collection is no longer available to you" in body


def test_notes_reach_no_moderator_page_search_or_export(
    kept, open_testimony, moderator, researcher, client_for
):
    moderator_client = client_for(moderator)
    for url in (
        open_testimony.get_absolute_url(),
        reverse("search:page") + "?q=Banias",
        reverse("search-api:export-csv") + "?q=Banias",
    ):
        assert "Compare with Kusour" not in moderator_client.get(url).content.decode()
    researcher_client = client_for(researcher)
    export = researcher_client.get(reverse("search-api:export-csv") + "?q=Banias")
    assert "Compare with Kusour" not in export.content.decode("utf-8-sig")


def _csv_ids(response):
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [row["id"] for row in rows]


def test_a_collection_exports_as_a_search_does_leaving_out_what_may_not_leave(
    kept, open_testimony, researcher, client_for, coast
):
    collection = kept["collection"]
    researchers_only = factories.testimony(
        places=[coast["banias"]], consent={"archive": True, "researchers": True}
    )
    public_only = factories.testimony(
        places=[coast["banias"]], consent={"archive": True, "public": True}
    )
    withdrawn = factories.testimony(places=[coast["banias"]])
    for testimony in (researchers_only, public_only, withdrawn):
        collection_add(collection=collection, testimony=testimony)
    consent_withdraw(testimony=withdrawn, scopes=None, reason="asked", obtained_by="x")
    client = client_for(researcher)
    response = client.get(
        reverse("research:collection-export-csv", args=[collection.public_id])
    )
    assert response.status_code == 200
    # Only what a search's export may hold: shared with researchers, in the
    # order added; the public-only and the withdrawn left out and counted.
    assert _csv_ids(response) == [open_testimony.public_id, researchers_only.public_id]
    assert response["X-Export-Unavailable"] == "2"
    search_export = client.get(reverse("search-api:export-csv") + "?q=Banias")
    assert response.content.splitlines()[0] == search_export.content.splitlines()[0]
    assert "Layla" not in response.content.decode("utf-8-sig")
    (entry,) = AuditEntry.objects.filter(
        action=SearchAction.EXPORTED, detail__contains=collection.public_id
    )
    assert "Banias, 7" not in entry.detail
    xlsx = client.get(
        reverse("research:collection-export-xlsx", args=[collection.public_id])
    )
    workbook = load_workbook(io.BytesIO(xlsx.content))
    about = dict(workbook["About"].iter_rows(values_only=True))
    assert '"no_longer_available": 2' in about["query"]


def test_documenters_keep_collections_but_may_not_export_them(
    documenter, open_testimony, client_for
):
    collection = collection_create(owner=documenter, name="Mine")
    collection_add(collection=collection, testimony=open_testimony)
    client = client_for(documenter)
    page = client.get(reverse("research:collection", args=[collection.public_id]))
    assert page.status_code == 200 and "export.csv" not in page.content.decode()
    url = reverse("research:collection-export-csv", args=[collection.public_id])
    assert client.get(url).status_code == 403


def test_erasing_a_testimony_deletes_the_notes_on_it_and_its_place_in_collections(
    kept, open_testimony
):
    testimony_erase(testimony=open_testimony, reason="asked", erased_by_label="test")
    assert not Note.objects.exists()
    assert not CollectionItem.objects.exists()
    assert Collection.objects.filter(pk=kept["collection"].pk).exists()


def test_the_testimony_page_shows_its_reader_their_own_notes_and_collections(
    kept, open_testimony, researcher, other_researcher, client_for
):
    url = open_testimony.get_absolute_url()
    own = client_for(researcher).get(url).content.decode()
    assert "Compare with Kusour." in own and "Banias, 7 March" in own
    other = client_for(other_researcher).get(url).content.decode()
    assert "research-panel" in other
    assert "Compare with Kusour." not in other and "Banias, 7 March" not in other
    assert "research-panel" not in client_for(None).get(url).content.decode()
    # A note added from the testimony page comes back to it.
    response = client_for(researcher).post(
        reverse("research:testimony", args=[open_testimony.public_id]),
        {"add_note": "1", "text": "Second note.", "next": url},
    )
    assert response["Location"] == url
    response = client_for(researcher).post(
        reverse("research:testimony", args=[open_testimony.public_id]),
        {"add_note": "1", "text": "Third.", "next": "https://elsewhere.example/"},
    )
    assert response["Location"] == reverse(
        "research:testimony", args=[open_testimony.public_id]
    )


@pytest.mark.parametrize("role", ["researcher", "documenter", "moderator"])
def test_every_reading_role_keeps_its_own_tools(
    open_testimony, users, client_for, role
):
    client = client_for(users[role])
    assert client.get(HOME).status_code == 200
    url = reverse("research:testimony", args=[open_testimony.public_id])
    client.post(url, {"add_note": "1", "text": f"{role}'s note"})
    client.post(url, {"add_to_collection": "1", "new_name": f"{role}'s list"})
    page = client.get(url).content.decode()
    assert f"{role}&#x27;s note" in page and f"{role}&#x27;s list" in page
    collection = Collection.objects.get(owner=users[role])
    detail = client.get(reverse("research:collection", args=[collection.public_id]))
    assert detail.status_code == 200
