"""Search parameters that cannot be answered: dates outside 1900-2100, a
range that ends before it starts, a page past the last. The API refuses them
with a JSON error (400, or 404 for the page); the page says what is wrong
and shows what it can.

These tests only read: the three accounts and their index are built once
for the module."""

import datetime

import pytest

from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.index_kept]


def _three():
    coast = factories.coast()
    with factories.together():
        return [
            factories.testimony(
                narrative=f"Banias account number {n}.",
                places=[coast["banias"]],
                incident=(datetime.date(2025, 3, n + 1),) * 2,
            )
            for n in range(3)
        ]


@pytest.fixture(scope="module")
def three(built_once):
    return built_once(_three)


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "0001-01-01"},
        {"date_to": "0001-01-01"},
        {"date_from": "1899-12-31"},
        {"date_to": "2101-01-01"},
        {"date_from": "9999-12-31"},
    ],
)
def test_dates_outside_1900_2100_are_refused_by_the_api(three, client, params):
    response = client.get("/api/search/", params)
    assert response.status_code == 400
    body = response.json()
    (name,) = params
    assert body["fields"][name] == ["A date must be between 1900 and 2100."]
    assert body["error"]


def test_the_first_and_last_days_allowed_are_answered(three, client):
    response = client.get(
        "/api/search/", {"date_from": "1900-01-01", "date_to": "2100-12-31"}
    )
    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_a_range_that_ends_before_it_starts_is_refused_by_the_api(three, client):
    response = client.get(
        "/api/search/", {"date_from": "2025-03-09", "date_to": "2025-03-01"}
    )
    assert response.status_code == 400
    assert response.json()["fields"]["__all__"] == [
        "The start date must not be after the end date."
    ]


def test_the_export_refuses_them_too(three, client_for, researcher):
    response = client_for(researcher).get(
        "/search/export.json", {"date_from": "0001-01-01"}
    )
    assert response.status_code == 400
    assert "between 1900 and 2100" in response.json()["fields"]["date_from"][0]


@pytest.mark.parametrize(
    "params",
    [
        {"q": "Banias", "date_from": "0001-01-01"},
        {"q": "Banias", "date_from": "2025-03-09", "date_to": "2025-03-01"},
    ],
)
def test_the_page_says_what_is_wrong_and_shows_what_it_can(three, client, params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page
    assert (
        "between 1900 and 2100" in page
        or "The start date must not be after the end date." in page
    )
    assert "These results leave out what could not be used." in page
    # Answered without the dates it could not use: every Banias account.
    for testimony in three:
        assert testimony.public_id in page


def test_a_page_past_the_last_is_404_json_in_the_api(three, client):
    last = client.get("/api/search/", {"page_size": 2, "page": 2})
    assert last.status_code == 200 and len(last.json()["results"]) == 1
    past = client.get("/api/search/", {"page_size": 2, "page": 3})
    assert past.status_code == 404
    assert past["Content-Type"] == "application/json"
    assert past.json()["pages"] == 2
    assert "no page 3" in past.json()["error"]


def test_a_page_past_the_last_of_nothing_is_404_too(three, client):
    nothing = {"q": "zqxvw"}
    first = client.get("/api/search/", {**nothing, "page": 1})
    assert first.status_code == 200 and first.json()["count"] == 0
    assert client.get("/api/search/", {**nothing, "page": 2}).status_code == 404


def test_the_page_past_the_last_shows_the_last_page_with_a_note(three, client):
    response = client.get("/search/", {"page_size": 2, "page": 9})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is no page 9; this is the last one." in page
    assert "Page 2 of 2" in page
    assert page.count('<li class="result">') == 1


def test_an_impossible_date_is_refused_by_the_api(three, client):
    response = client.get("/api/search/", {"date_from": "2025-02-30"})
    assert response.status_code == 400
    assert response.json()["fields"]["date_from"] == ["Enter a valid date."]


@pytest.mark.parametrize(
    "dates",
    [
        {"date_from": "2025-03-09", "date_to": "2025-03-01"},
        {"date_from": "2025-02-30"},
    ],
)
def test_the_page_with_unusable_dates_keeps_its_facets_labelled(three, client, dates):
    for path, name in [("/search/", "Banias"), ("/ar/search/", "بانياس")]:
        response = client.get(path, {"place": "banias", **dates})
        page = response.content.decode()
        assert 'role="alert"' in page
        assert (
            f'value="banias" checked> <bdi>{name}</bdi> <span class="count">3</span>'
            in page
        )
        assert "<bdi>banias</bdi>" not in page
        for testimony in three:
            assert testimony.public_id in page
