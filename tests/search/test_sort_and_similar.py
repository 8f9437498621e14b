"""Sorting results and "more testimonies like this" on the
testimony page, for each role."""

import datetime

import pytest

from tests import factories
from tests.markers import committed_db

pytestmark = [committed_db, pytest.mark.usefixtures("each_engine")]


def day(text):
    return datetime.date.fromisoformat(text)


@pytest.fixture
def dated(coast):
    T = factories.testimony
    made = {
        "2011": T(
            narrative="Shelling of the old market.",
            incident=(day("2011-05-01"), day("2011-05-02")),
        ),
        "2025": T(
            narrative="Shelling of the harbour.",
            incident=(day("2025-03-07"), day("2025-03-08")),
        ),
        "2013": T(
            narrative="Shelling of the school.",
            incident=(day("2013-01-10"), day("2013-01-10")),
        ),
    }
    for key, recorded in [
        ("2011", "2025-05-01"),
        ("2025", "2025-04-01"),
        ("2013", "2025-06-01"),
    ]:
        made[key].recorded_on = day(recorded)
        made[key].save()
    return made


def order(client, **params):
    response = client.get("/api/search/", params)
    assert response.status_code == 200, response.content
    return [result["id"] for result in response.json()["results"]]


def test_results_sort_by_incident_or_recording_date(dated, client):
    ids = {key: t.public_id for key, t in dated.items()}
    newest = [ids["2025"], ids["2013"], ids["2011"]]
    assert order(client, q="shelling", sort="incident-newest") == newest
    assert order(client, q="shelling", sort="incident-oldest") == newest[::-1]
    assert order(client, sort="recorded-newest") == [
        ids["2013"],
        ids["2011"],
        ids["2025"],
    ]
    assert set(order(client, q="shelling", sort="relevance")) == set(newest)


def test_an_unknown_sort_is_a_400(client):
    response = client.get("/api/search/", {"sort": "alphabetical"})
    assert response.status_code == 400
    assert "sort" in response.json()["fields"]


def test_the_page_offers_the_orders_and_keeps_the_one_chosen(dated, client):
    body = client.get(
        "/search/", {"q": "shelling", "sort": "incident-oldest"}
    ).content.decode()
    assert '<option value="incident-oldest" selected>' in body
    assert body.index(dated["2011"].public_id) < body.index(dated["2025"].public_id)


@pytest.fixture
def alike(coast, documenter):
    with factories.together():
        T = factories.testimony
        story = "Gunmen burned the olive press and the mill near the orchard at night"
        return {
            "seen": T(narrative=f"{story}. I saw it from the roof."),
            "public": T(narrative=f"{story}. My cousin ran to the river."),
            "researchers": T(
                narrative=f"{story}. We hid in the cellar.",
                consent={"archive": True, "researchers": True},
            ),
            "archive-only": T(
                narrative=f"{story}. Nobody came to help.",
                consent={"archive": True},
            ),
            "own-submitted": T(
                narrative=f"{story}. Recorded by this documenter, under review.",
                status="submitted",
                recorded_by=documenter,
            ),
            "unrelated": T(narrative="A checkpoint on the coast road in 2013."),
        }


SIMILAR = {
    "anonymous": {"public"},
    "researcher": {"public", "researchers"},
    "documenter": {"public", "researchers", "own-submitted"},
    "moderator": {"public", "researchers", "archive-only", "own-submitted"},
}


@pytest.mark.parametrize("role", SIMILAR)
def test_more_like_this_lists_only_what_the_role_may_see(
    alike, users, client_for, role
):
    response = client_for(users[role]).get(alike["seen"].get_absolute_url())
    assert response.status_code == 200
    listed = {card.testimony.public_id for card in response.context["similar"]}
    assert listed == {alike[key].public_id for key in SIMILAR[role]}
    assert alike["seen"].public_id not in listed
    assert "More testimonies like this" in response.content.decode()


def test_a_moderator_without_the_second_factor_sees_a_researchers_list(
    alike, users, client_for
):
    # The testimony page is open to all; until the second factor a moderator
    # reads as a researcher (testimonies.policy.acting_role).
    response = client_for(users["moderator"], verified=False).get(
        alike["seen"].get_absolute_url()
    )
    assert response.status_code == 200
    listed = {card.testimony.public_id for card in response.context["similar"]}
    assert listed == {alike[k].public_id for k in SIMILAR["researcher"]}


def test_more_like_this_is_at_most_five(coast, client):
    made = [
        factories.testimony(narrative=f"Gunmen burned the olive press, house {n}.")
        for n in range(8)
    ]
    response = client.get(made[0].get_absolute_url())
    assert len(response.context["similar"]) == 5


def test_a_testimony_without_incident_dates_still_sorts(dated, client):
    undated = factories.testimony(
        narrative="Shelling, the date unknown.", incident=None
    )
    for sort in ["incident-newest", "incident-oldest"]:
        found = order(client, q="shelling", sort=sort)
        assert undated.public_id in found
        assert len(found) == 4


def test_a_testimony_sharing_no_word_with_the_index_has_nothing_like_it(
    coast, documenter, client_for
):
    # Whoosh's key terms divide by the weight in the index of the text's
    # words: when none of them is indexed (an Arabic draft while the index
    # holds English accounts only) the page still opens, with no list.
    factories.testimony(narrative="Gunmen burned the olive press at night.")
    draft = factories.testimony(
        narrative="في جبلة سمعنا إطلاق النار طوال الليل.",
        language="ar",
        status="draft",
        recorded_by=documenter,
    )
    response = client_for(documenter).get(draft.get_absolute_url())
    assert response.status_code == 200
    assert list(response.context["similar"]) == []
