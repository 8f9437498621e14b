"""The incidents columns of the researchers' exports: only incidents whose
link the exporter may be shown, never finer than the testimony's public
view (whoever exports), labels in the requester's language beside ids."""

import io
import json

import pytest
from openpyxl import load_workbook

from testimonies.incidents.services import (
    incident_link,
    incident_merge,
    incident_propose,
)
from testimonies.models import Place
from tests.markers import committed_db
from tests.search import test_exports_for_analysis as analysis
from tests.search.test_exports import csv_rows

pytestmark = committed_db
_get = analysis._get


@pytest.fixture
def located():
    """The analysis exports' testimony, whose public view was raised from a
    neighbourhood to its town (`exporter` is tests/search/conftest.py's)."""
    return analysis.located_testimony()


@pytest.fixture
def incidents(located, moderator):
    """Incidents linked to the testimony whose public view was raised from
    the Qadmus market to the town: one at the town (shown), one at the
    market (finer than the public view: never exported), one merged away."""

    def propose(title, title_ar, slug):
        return incident_propose(
            user=moderator,
            title=title,
            title_ar=title_ar,
            places=Place.objects.filter(slug=slug),
        )

    town = propose("Killings in Al-Qadmus", "القتل في القدموس", "qadmus")
    market = propose("Raid on Qadmus market", "مداهمة سوق القدموس", "qadmus-market")
    merged = propose("Qadmus killings (duplicate)", "مكرر", "qadmus")
    for incident, role in ((town, "mentions"), (market, "describes")):
        incident_link(user=moderator, incident=incident, testimony=located, role=role)
    incident_link(user=moderator, incident=merged, testimony=located)
    gone = propose("Shelling of Al-Qadmus", "قصف القدموس", "qadmus")
    incident_link(user=moderator, incident=gone, testimony=located)
    incident_merge(user=moderator, incident=gone, into=merged)
    return {"town": town, "market": market, "merged": merged, "gone": gone}


@pytest.mark.parametrize("role", ["researcher", "moderator"])
def test_the_csv_names_only_incidents_the_export_may_show(incidents, exporter, role):
    client = exporter(role)
    (row,) = csv_rows(_get(client, "csv"))
    shown = [incidents["town"], incidents["merged"]]
    assert row["incidents"] == "; ".join(i.public_id for i in shown)
    assert row["incident_names"] == "Killings in Al-Qadmus; Qadmus killings (duplicate)"
    assert row["incident_roles"] == "Mentions; Describes"
    everything = json.dumps(row, ensure_ascii=False)
    for hidden in ("market", "gone"):
        assert incidents[hidden].public_id not in everything
        assert incidents[hidden].title not in everything

    (arabic,) = csv_rows(_get(client, "csv", language="ar"))
    assert arabic["incident_names"] == "القتل في القدموس; مكرر"
    assert arabic["incident_roles"] == "يذكره; يصف"

    workbook = load_workbook(io.BytesIO(_get(client, "xlsx").content))
    header, cells = list(workbook["Testimonies"].values)
    sheet = dict(zip(header, cells, strict=True))
    assert sheet["incidents"] == row["incidents"]
    assert sheet["incident_names"] == row["incident_names"]


def test_the_json_export_holds_each_incident_with_both_titles(incidents, exporter):
    (record,) = json.loads(_get(exporter("researcher"), "json").content)["results"]
    assert [(i["id"], i["role"]) for i in record["incidents"]] == [
        (incidents["town"].public_id, "mentions"),
        (incidents["merged"].public_id, "describes"),
    ]
    first = record["incidents"][0]
    assert (first["title_en"], first["title_ar"]) == (
        "Killings in Al-Qadmus", "القتل في القدموس",
    )  # fmt: skip
    assert first["status"] == "proposed"
    assert first["url"].endswith(incidents["town"].get_absolute_url())
