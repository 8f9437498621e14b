"""A request's searches share the text's matches (search.engine's
one_request), but never across a change of the index: a testimony withdrawn
between two searches of the same request is not found by the second."""

from django.contrib.auth.models import AnonymousUser
from haystack.query import SearchQuerySet

from search.engine import search_engine
from testimonies.consent.services.consent import consent_withdraw
from testimonies.models import Testimony
from tests import factories
from tests.markers import committed_db

pytestmark = committed_db


def _found(text):
    return {
        int(result.pk)
        for result in SearchQuerySet().models(Testimony).filter(text=text)
    }


def test_a_withdrawal_inside_one_request_is_seen_by_its_next_search(coast):
    with factories.together():
        made = [
            factories.testimony(narrative=f"The olive press burned, account {n}.")
            for n in range(3)
        ]
    with search_engine().one_request():
        assert _found("olive") == {t.pk for t in made}
        consent_withdraw(
            testimony=made[0], scopes=None, reason="afraid", obtained_by="t"
        )
        assert _found("olive") == {made[1].pk, made[2].pk}


def test_the_page_and_the_counts_of_one_request_agree(coast):
    """The facet counts without their own filter search the same text: with
    its matches kept, they still count what the page's search finds."""
    from search.selectors import testimony_search

    with factories.together():
        for n, community in enumerate(["alawite", "alawite", "sunni", "christian"]):
            factories.testimony(
                narrative=f"Checkpoint shooting, account {n}.",
                communities=(community,),
            )
    outcome = testimony_search(
        params={"q": "checkpoint", "community": ["alawite"]}, user=AnonymousUser()
    )
    plain = testimony_search(params={"q": "checkpoint"}, user=AnonymousUser())
    assert plain.count == 4 and outcome.count == 2
    assert outcome.facets["community"] == plain.facets["community"]
    assert {f["slug"]: f["count"] for f in plain.facets["community"]} == {
        "alawite": 2,
        "sunni": 1,
        "christian": 1,
    }
