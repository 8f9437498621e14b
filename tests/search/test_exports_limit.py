"""/search/export.csv and /search/export.json stop at the row limit and
say so, over testimonies whose recording dates fix the order. These tests
only read: the testimonies are built once for the module."""

import datetime
import json

import pytest
from django.db import transaction

from tests import factories
from tests.search.test_exports import consent_states, export, exported_ids

pytestmark = [pytest.mark.django_db, pytest.mark.index_kept]


def dated_states(consents) -> dict:
    """Recording dates that fix the search's order (latest first), with a
    testimony that may not be exported ahead of all."""
    # One transaction: the four reach the index in one write.
    with transaction.atomic():
        for key, day in [
            ("public-only", "2025-04-09"),
            ("researchers", "2025-04-08"),
            ("researchers-and-public", "2025-04-07"),
            ("arabic", "2025-04-06"),
        ]:
            testimony = consents[key]
            testimony.recorded_on = datetime.date.fromisoformat(day)
            testimony.save()
    return consents


@pytest.fixture(scope="module")
def dated(built_once):
    return built_once(lambda: dated_states(consent_states(factories.coast())))


def test_json_export_stops_at_the_limit_and_says_so(dated, exporter, settings):
    settings.ARCHIVE_EXPORT_MAX_ROWS = 2
    response = export(exporter("researcher"), "json", place="banias")
    document = json.loads(response.content)
    assert {k: document[k] for k in ("count", "exported", "truncated", "max_rows")} == {
        "count": 3, "exported": 2, "truncated": True, "max_rows": 2,
    }  # fmt: skip
    assert exported_ids(response, "json") == [
        dated["researchers"].public_id,
        dated["researchers-and-public"].public_id,
    ]


def test_csv_export_stops_at_the_limit_and_says_so_in_headers(
    dated, exporter, settings
):
    settings.ARCHIVE_EXPORT_MAX_ROWS = 2
    response = export(exporter("moderator"), "csv")
    assert exported_ids(response, "csv") == [
        dated["researchers"].public_id,
        dated["researchers-and-public"].public_id,
    ]
    assert response["X-Export-Truncated"] == "true"
    assert (response["X-Export-Count"], response["X-Export-Rows"]) == ("3", "2")


def test_a_limit_the_export_does_not_reach_truncates_nothing(dated, exporter, settings):
    settings.ARCHIVE_EXPORT_MAX_ROWS = 3
    document = json.loads(export(exporter("researcher"), "json").content)
    assert (document["count"], document["exported"], document["truncated"]) == (
        3,
        3,
        False,
    )


def test_the_search_page_warns_when_the_export_would_be_cut(dated, exporter, settings):
    settings.ARCHIVE_EXPORT_MAX_ROWS = 2
    page = exporter("researcher").get("/search/", {"place": "banias"})
    assert page.context["export"]["capped"] is True
    assert "One export holds at most 2 testimonies" in page.content.decode()
    settings.ARCHIVE_EXPORT_MAX_ROWS = 1000
    page = exporter("researcher").get("/search/", {"place": "banias"})
    assert page.context["export"]["capped"] is False
    assert "One export holds at most" not in page.content.decode()
