"""Saved searches: the count of new matches is computed at every view with
the owner's visibility at that moment (a withdrawn testimony never counts),
opening one marks it seen, and the home page lists them."""

import datetime

import pytest
from django.urls import reverse

from research.models import SavedSearch
from research.selectors import saved_searches_with_news
from research.services import saved_search_create
from testimonies.consent.services.consent import consent_withdraw
from tests import factories
from tests.markers import committed_db

pytestmark = committed_db

HOME = reverse("home", urlconf="archive.urls")


def new_count(user, saved):
    (row,) = [r for r in saved_searches_with_news(user=user) if r.saved == saved]
    return row.new_count


@pytest.fixture
def banias(coast):
    return factories.testimony(
        narrative="Gunmen came to our street in Banias.", places=[coast["banias"]]
    )


def test_saving_from_the_search_page_keeps_the_words_and_filters_not_the_page(
    banias, researcher, client_for
):
    client = client_for(researcher)
    page = client.get(reverse("search:page"), {"q": "Banias"})
    assert 'form="save-search-form"' in page.content.decode()
    response = client.post(
        reverse("research:saved-search-save"),
        {"name": "Banias raids", "query": "q=Banias&community=alawite&page=3"},
    )
    saved = SavedSearch.objects.get()
    assert (saved.owner, saved.name) == (researcher, "Banias raids")
    assert saved.query == "q=Banias&community=alawite"
    assert response["Location"] == "/search/?q=Banias&community=alawite"
    assert saved.seen_ids == [banias.public_id]


def test_a_saved_search_needs_a_name(researcher, client_for):
    client_for(researcher).post(
        reverse("research:saved-search-save"), {"name": " ", "query": "q=Banias"}
    )
    assert not SavedSearch.objects.exists()


def test_new_matches_are_counted_with_the_current_visibility(
    banias, coast, researcher, documenter
):
    saved = saved_search_create(owner=researcher, name="Banias", query="q=Banias")
    assert new_count(researcher, saved) == 0
    later = factories.testimony(
        narrative="Another account from Banias.", places=[coast["banias"]]
    )
    # Submitted but not approved: not visible to the researcher, not counted.
    factories.testimony(
        narrative="A Banias account under review.",
        status="submitted",
        recorded_by=documenter,
    )
    assert new_count(researcher, saved) == 1
    # Withdrawn: no longer counted, at once.
    consent_withdraw(testimony=later, scopes=None, reason="asked", obtained_by="x")
    assert new_count(researcher, saved) == 0


def test_an_embargoed_testimony_is_not_new_until_its_embargo_passes(
    banias, coast, researcher
):
    saved = saved_search_create(owner=researcher, name="Banias", query="q=Banias")
    factories.testimony(
        narrative="A Banias account under embargo.",
        places=[coast["banias"]],
        consent={
            "archive": True,
            "researchers": True,
            "embargo_until": datetime.date(2099, 1, 1),
        },
    )
    assert new_count(researcher, saved) == 0


def test_opening_marks_it_seen_and_the_home_page_lists_it(
    banias, coast, researcher, client_for
):
    saved = saved_search_create(owner=researcher, name="Banias raids", query="q=Banias")
    factories.testimony(narrative="Banias again.", places=[coast["banias"]])
    client = client_for(researcher)
    home = client.get(HOME).content.decode()
    assert "Banias raids" in home and "1 new" in home
    response = client.post(
        reverse("research:saved-search-open", args=[saved.public_id])
    )
    assert response["Location"] == "/search/?q=Banias"
    assert "nothing new" in client.get(HOME).content.decode()
    assert new_count(researcher, saved) == 0


def test_the_public_home_page_lists_no_saved_search(banias, client_for, researcher):
    saved_search_create(owner=researcher, name="Banias raids", query="q=Banias")
    assert "Banias raids" not in client_for(None).get(HOME).content.decode()


def test_a_search_too_long_to_keep_is_refused_with_a_message(researcher, client_for):
    response = client_for(researcher).post(
        reverse("research:saved-search-save"),
        {"name": "Long", "query": "q=" + "Banias+" * 400},
        follow=True,
    )
    assert response.status_code == 200
    assert not SavedSearch.objects.exists()
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["This search is too long to be saved."]


def test_a_search_result_goes_into_a_collection_by_name_and_back_to_the_results(
    banias, researcher, client_for
):
    client = client_for(researcher)
    results = client.get(reverse("search:page"), {"q": "Banias"}).content.decode()
    assert f'form="collect-{banias.public_id}"' in results
    assert f'id="collect-{banias.public_id}"' in results
    back = "/search/?q=Banias&page=1"
    url = reverse("research:testimony", args=[banias.public_id])
    for _ in range(2):
        response = client.post(
            url, {"add_to_collection": "1", "new_name": "Banias", "next": back}
        )
        assert response["Location"] == back
    # Added to the collection of that name, never a second one.
    (collection,) = researcher.collections.all()
    assert list(collection.items.values_list("testimony", flat=True)) == [banias.pk]
