"""/search/export.csv and /search/export.json after the testimonies
change: a withdrawal honoured by the next export, the row limit over
recording dates set here, a testimony of the test's own. Each test builds
its own testimonies (test_exports.py's, which only read, share theirs)."""

import datetime
import json

import pytest
from django.db import transaction
from haystack.query import SearchQuerySet

from testimonies.consent.models.consent import ConsentEvent
from testimonies.consent.services.consent import consent_withdraw
from testimonies.models import ConsentRecord, Testimony
from tests import factories
from tests.markers import committed_db
from tests.search.test_exports import (
    FORMATS,
    consent_states,
    csv_rows,
    export,
    exported_ids,
    public_ids,
)

pytestmark = committed_db


@pytest.fixture
def consents(coast):
    return consent_states(coast)


def test_spreadsheet_formulas_are_neutralised(coast, exporter):
    testimony = factories.testimony(
        narrative='=HYPERLINK("http://example.org/x","Banias")',
        translations={"ar": "@SUM(1+1)", "en": "\tBanias"},
        places=[coast["banias"]],
        consent={"archive": True, "researchers": True},
    )
    testimony.summary = "-2+3 Banias"
    testimony.save()
    (row,) = csv_rows(export(exporter("researcher"), "csv"))
    assert row["narrative"] == '\'=HYPERLINK("http://example.org/x","Banias")'
    assert row["translation_ar"] == "'@SUM(1+1)"
    assert row["translation_en"] == "'\tBanias"
    assert row["summary"] == "'-2+3 Banias"
    # JSON is not read by spreadsheets: the text stays as it is.
    (record,) = json.loads(export(exporter("researcher"), "json").content)["results"]
    assert record["narrative"] == testimony.narrative


# The row limit


@pytest.fixture
def dated(consents):
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


# Consent changes honoured at once


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_withdrawal_is_honoured_by_the_next_export(consents, exporter, fmt):
    testimony = consents["researchers-and-public"]
    consent_withdraw(
        testimony=testimony, scopes=["researchers"], reason="r", obtained_by="d"
    )
    ids = exported_ids(export(exporter("researcher"), fmt), fmt)
    assert testimony.public_id not in ids
    assert sorted(ids) == sorted(public_ids(consents, {"researchers", "arabic"}))


def test_the_database_decides_even_when_the_index_lags(consents, exporter):
    testimony = consents["arabic"]
    current = testimony.current_consent()
    # A withdrawal the index never heard of (bulk_create sends no signal).
    ConsentRecord.objects.bulk_create(
        [
            ConsentRecord(
                testimony=testimony,
                event=ConsentEvent.WITHDRAWAL,
                archive=True,
                researchers=False,
                obtained_by="d",
                obtained_on=current.obtained_on,
                reason="r",
            )
        ]
    )
    in_index = {
        int(r.pk) for r in SearchQuerySet().models(Testimony).filter(audiences="export")
    }
    assert testimony.pk in in_index
    ids = exported_ids(export(exporter("researcher"), "json"), "json")
    assert testimony.public_id not in ids
    assert len(ids) == 2
