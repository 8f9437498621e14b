"""/api/search/ (docs/api.md) against a real Whoosh index.

These tests only read: the archive is built once for the module. What a
withdrawal changes is in test_api_withdrawal.py."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.index_kept]


@pytest.fixture
def archive(archive_once):
    return archive_once


def ids(answer):
    return {result["id"] for result in answer["results"]}


def api(client_for, user, **params):
    return answer_to(client_for(user), **params)


def answer_to(client, **params):
    response = client.get("/api/search/", params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


VISIBLE = {
    "anonymous": {"kusour", "banias", "jableh", "tartus-2013"},
    "researcher": {"kusour", "banias", "jableh", "tartus-2013", "researchers-only"},
    "documenter": {
        "kusour", "banias", "jableh", "tartus-2013", "researchers-only",
        "submitted-own",
    },
    "moderator": {
        "kusour", "banias", "jableh", "tartus-2013", "researchers-only",
        "submitted-own", "embargoed",
    },
}  # fmt: skip


@pytest.mark.parametrize("role", VISIBLE)
def test_each_role_finds_exactly_what_it_may_see(archive, users, client_for, role):
    answer = api(client_for, users[role])
    assert ids(answer) == {archive[k].public_id for k in VISIBLE[role]}
    assert answer["count"] == len(VISIBLE[role])


def test_anonymous_banias_search_shows_only_public_approved(archive, users, client_for):
    answer = api(client_for, users["anonymous"], q="Banias")
    assert ids(answer) == {archive["kusour"].public_id, archive["banias"].public_id}


def test_answer_has_the_contract_shape(archive, users, client_for):
    answer = api(client_for, users["anonymous"], q="Kusour")
    contract = {"count", "page", "pages", "results", "facets"}
    # The fields docs/api.md documents, and nothing else.
    assert set(answer) == contract | {"places_matched", "suggestion", "note"}
    (result,) = answer["results"]
    testimony = archive["kusour"]
    assert result == {
        "id": testimony.public_id,
        "url": f"/testimonies/{testimony.public_id}/",
        "pseudonym": testimony.witness.pseudonym,
        "excerpt": result["excerpt"],
        "places": [{"slug": "hai-al-kusour", "name": "Hai Al Kusour"}],
        "communities": ["alawite"],
        "event_types": ["killing", "looting"],
        "incident": {"start": "2025-03-07", "end": "2025-03-08", "precision": "day"},
        "language": "en",
        # What the reader may do with it (docs/api.md, permitted_use).
        "permitted_use": {
            "code": "public",
            "text": "Public: may be read by anyone; not for quotation in the media",
            "images": "",
        },
    }
    assert '<mark class="match term0">Kusour</mark>' in result["excerpt"]
    assert set(answer["facets"]) == {
        "place", "community", "event_type", "incident", "year"
    }  # fmt: skip


def test_no_real_name_in_any_answer(archive, users, client_for):
    for user in users.values():
        for query in ["", "Ayman", "Fares", "Ali", "Banias"]:
            body = client_for(user).get("/api/search/", {"q": query}).content.decode()
            assert "Ayman" not in body and "Fares" not in body and "Haidar" not in body
    answer = api(client_for, users["anonymous"], q="robbed")
    pseudonym = archive["kusour"].witness.pseudonym
    assert f"[{pseudonym}]" in answer["results"][0]["excerpt"]


def test_names_are_not_searchable_at_all(archive, users, client_for):
    assert api(client_for, users["moderator"], q="Ayman")["count"] == 0
    assert api(client_for, users["moderator"], q="Haidar")["count"] == 0


def test_governorate_matches_every_place_under_it(archive, users, client_for):
    answer = api(client_for, users["anonymous"], place="tartus-governorate")
    assert ids(answer) == {
        archive[k].public_id for k in ["kusour", "banias", "tartus-2013"]
    }
    answer = api(client_for, users["anonymous"], place="banias")
    assert ids(answer) == {archive[k].public_id for k in ["kusour", "banias"]}


def test_repeated_facet_means_any_and_different_facets_all(archive, users, client_for):
    answer = api(client_for, users["anonymous"], place=["jableh", "tartus"])
    assert ids(answer) == {
        archive["jableh"].public_id,
        archive["tartus-2013"].public_id,
    }
    answer = api(
        client_for, users["anonymous"], place="tartus-governorate", community="sunni"
    )
    assert ids(answer) == {
        archive["banias"].public_id,
        archive["tartus-2013"].public_id,
    }
    answer = api(
        client_for, users["anonymous"], event_type="looting", community="alawite"
    )
    assert ids(answer) == {archive["kusour"].public_id}


def test_every_facet_count_equals_the_matching_testimonies(archive, users, client_for):
    for role, user in users.items():
        client = client_for(user)
        answer = answer_to(client)
        for facet, values in answer["facets"].items():
            for value in values:
                key = "value" if facet == "year" else "slug"
                if facet == "year":
                    params = {
                        "date_from": f"{value[key]}-01-01",
                        "date_to": f"{value[key]}-12-31",
                    }
                else:
                    params = {facet: value[key]}
                narrowed = answer_to(client, **params)
                assert narrowed["count"] == value["count"], (role, facet, value)


def test_facet_counts_follow_the_other_facets_filters(archive, users, client_for):
    answer = api(client_for, users["anonymous"], place="banias")
    # The place facet leaves its own filter out: every place stays listed,
    # with what ticking it as well would add (docs/api.md, facets).
    places = {f["slug"]: f["count"] for f in answer["facets"]["place"]}
    assert places == {
        "sy": 4, "tartus-governorate": 3, "banias": 2, "hai-al-kusour": 1,
        "tartus": 1, "latakia-governorate": 1, "jableh": 1,
    }  # fmt: skip
    events = {f["slug"]: f["count"] for f in answer["facets"]["event_type"]}
    assert events == {"killing": 2, "looting": 1}
    assert answer["facets"]["year"] == [{"value": "2025", "count": 2}]


def test_place_facets_say_where_they_sit_in_the_gazetteer(archive, users, client_for):
    answer = api(client_for, users["anonymous"], place="banias")
    positions = {f["slug"]: (f["kind"], f["parent"]) for f in answer["facets"]["place"]}
    assert positions == {
        "sy": ("country", None),
        "tartus-governorate": ("governorate", "sy"),
        "latakia-governorate": ("governorate", "sy"),
        "banias": ("town", "tartus-governorate"),
        "hai-al-kusour": ("neighbourhood", "banias"),
        "tartus": ("town", "tartus-governorate"),
        "jableh": ("town", "latakia-governorate"),
    }


def test_search_page_lists_place_facets_as_a_tree(archive, users, client_for):
    page = client_for(users["anonymous"]).get("/search/")
    (places,) = [g for g in page.context["facet_groups"] if g["name"] == "place"]
    tree = [(entry["slug"], entry["depth"]) for entry in places["entries"]]
    assert tree == [
        ("sy", 0),
        ("latakia-governorate", 1), ("jableh", 2),
        ("tartus-governorate", 1), ("banias", 2), ("hai-al-kusour", 3),
        ("tartus", 2),
    ]  # fmt: skip
    assert 'class="depth-3"' in page.content.decode()


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        ("2025-03-08", "2025-03-08", {"kusour", "banias", "jableh"}),
        ("2025-03-09", None, {"banias", "jableh"}),
        (None, "2025-03-07", {"kusour", "jableh", "tartus-2013"}),
        ("2013-06-01", "2013-06-30", {"tartus-2013"}),
        ("2014-01-01", "2024-12-31", set()),
    ],
)
def test_dates_select_by_overlap_with_the_incident(
    archive, users, client_for, date_from, date_to, expected
):
    params = {k: v for k, v in [("date_from", date_from), ("date_to", date_to)] if v}
    answer = api(client_for, users["anonymous"], **params)
    assert ids(answer) == {archive[k].public_id for k in expected}


def test_arabic_query_finds_arabic_text(archive, users, client_for):
    answer = api(client_for, users["anonymous"], q="جبلة")
    assert ids(answer) == {archive["jableh"].public_id}
    answer = api(client_for, users["anonymous"], q="بانياس")  # the place's Arabic name
    assert ids(answer) == {archive["kusour"].public_id, archive["banias"].public_id}


def test_pages_split_the_results(archive, users, client_for):
    first = api(client_for, users["moderator"], page_size=3)
    second = api(client_for, users["moderator"], page_size=3, page=2)
    third = api(client_for, users["moderator"], page_size=3, page=3)
    assert (first["count"], first["pages"]) == (7, 3)
    assert [len(p["results"]) for p in (first, second, third)] == [3, 3, 1]
    assert len(ids(first) | ids(second) | ids(third)) == 7


@pytest.mark.parametrize(
    "params",
    [
        {"place": "atlantis"},
        {"community": "martian"},
        {"event_type": "picnic"},
        {"date_from": "2025-13-01"},
        {"date_from": "2025-03-10", "date_to": "2025-03-01"},
        {"page": "0"},
        {"page": "x"},
        {"page_size": "101"},
        {"plac": "banias"},
    ],
)
def test_bad_parameters_get_400_with_a_json_error(archive, users, client_for, params):
    response = client_for(users["anonymous"]).get("/api/search/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] and body["fields"]


@pytest.mark.parametrize(
    "query",
    [
        "researchers-only OR audiences:researcher",
        "audiences:researcher",
        "* OR owner:1",
        'looting" OR "a',
        "(", '"', "*", "\\", "[1 TO 2]", "AND OR NOT", "x" * 300,
    ],
)  # fmt: skip
def test_query_syntax_neither_fails_nor_widens_access(
    archive, users, client_for, query
):
    answer = api(client_for, users["anonymous"], q=query)
    public = {archive[k].public_id for k in VISIBLE["anonymous"]}
    assert ids(answer) <= public
    assert answer["count"] == len(ids(answer))
    assert (
        client_for(users["anonymous"]).get("/search/", {"q": query}).status_code == 200
    )


def test_search_answers_head_and_refuses_writes(client):
    """Monitors and proxies ask with HEAD; nothing is ever posted here."""
    for url in ["/search/", "/api/search/"]:
        assert client.head(url).status_code == 200
        assert client.post(url).status_code == 405
    # An export is GET only: each one is written to the audit log.
    assert client.head("/search/export.csv").status_code == 405
