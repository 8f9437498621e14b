"""/search/export.csv and /search/export.json after the testimonies
change: a withdrawal honoured by the next export, a change the index never
heard of, a testimony of the test's own. Each test builds its own
testimonies (test_exports.py's and test_exports_limit.py's, which only
read, share theirs)."""

import json

import pytest
from haystack.query import SearchQuerySet

from testimonies.consent.services.consent import consent_withdraw
from testimonies.models import Testimony
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
    factories.withdrawal_unheard(testimony)
    in_index = {
        int(r.pk) for r in SearchQuerySet().models(Testimony).filter(audiences="export")
    }
    assert testimony.pk in in_index
    ids = exported_ids(export(exporter("researcher"), "json"), "json")
    assert testimony.public_id not in ids
    assert len(ids) == 2
