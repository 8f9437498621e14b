"""Exports researchers can analyse: place columns at every level in both
languages, coordinates at the public level only, labels beside slugs, a
citation, and files that say what they are (JSON header, CSV sidecar, XLSX
"About" sheet); the new formats walked up the permission ladder.

These tests only read: the located testimony and its index are built once
for the module."""

import io
import json

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override
from openpyxl import load_workbook

from archive.models import AuditEntry
from search.audit_actions import AuditAction
from testimonies.models import Place
from tests import factories
from tests.search.test_exports import csv_rows, export

pytestmark = [pytest.mark.django_db, pytest.mark.index_kept]

NEW_FORMATS = ["xlsx", "csv-metadata.json"]
# Where a witness was (a neighbourhood), and the town the public sees.
MARKET = (35.1019, 36.1604)
QADMUS = (35.1011, 36.1612)
GOVERNORATE = (34.889, 35.886)


@pytest.fixture(scope="module")
def located(built_once):
    return built_once(located_testimony)


def located_testimony():
    """A testimony tagged with a neighbourhood whose public view was raised
    one level to its town; every place with coordinates."""
    coast = factories.coast()
    district = factories.place(
        "banias-district", "Baniyas District", parent=coast["tartus-governorate"],
        kind="district", name_ar="منطقة بانياس",
    )  # fmt: skip
    town = factories.place("qadmus", "Al-Qadmus", parent=district, name_ar="القدموس")
    factories.place(
        "qadmus-market", "Qadmus Market", parent=town, kind="neighbourhood",
        name_ar="سوق القدموس",
    )  # fmt: skip
    for slug, (lat, lon) in {
        "qadmus-market": MARKET, "qadmus": QADMUS, "tartus-governorate": GOVERNORATE,
    }.items():  # fmt: skip
        Place.objects.filter(slug=slug).update(latitude=lat, longitude=lon)
    testimony = factories.testimony(
        narrative="Gunmen came to the building at night.",
        places=[Place.objects.get(slug="qadmus-market")],
        consent={"archive": True, "researchers": True},
        communities=("alawite",),
        event_types=("killing",),
    )
    testimony.public_place_levels_up = 1
    testimony.save()
    return testimony


def _get(client, fmt, language="en", **params):
    response = client.get(
        f"/search/export.{fmt}", params, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200, response.content
    return response


def test_csv_has_every_place_level_in_both_languages_and_labels_in_english(
    located, exporter
):
    (row,) = csv_rows(_get(exporter("researcher"), "csv"))
    assert row["places"] == "qadmus"  # the public level, never the neighbourhood
    assert row["place_names"] == "Al-Qadmus"
    assert (row["governorate"], row["governorate_en"], row["governorate_ar"]) == (
        "tartus-governorate", "Tartus Governorate", "محافظة طرطوس",
    )  # fmt: skip
    assert (row["district"], row["district_en"], row["district_ar"]) == (
        "banias-district", "Baniyas District", "منطقة بانياس",
    )  # fmt: skip
    assert (row["town"], row["town_en"], row["town_ar"]) == (
        "qadmus", "Al-Qadmus", "القدموس",
    )  # fmt: skip
    assert (row["place_en"], row["place_ar"], row["place_kind"]) == (
        "Al-Qadmus", "القدموس", "town",
    )  # fmt: skip
    assert (row["communities"], row["community_names"]) == ("alawite", "Alawite")
    assert (row["event_types"], row["event_type_names"]) == ("killing", "Killing")
    assert row["permitted_use_code"] == "researchers-only"
    assert row["citation"].startswith(f"Testimony {located.public_id}, ")


def test_csv_labels_and_citation_follow_the_requesters_language(located, exporter):
    (row,) = csv_rows(_get(exporter("researcher"), "csv", language="ar"))
    assert row["place_names"] == "القدموس"
    assert row["community_names"] == "علويون"
    # Both languages whatever the requester's.
    assert (row["town_en"], row["town_ar"]) == ("Al-Qadmus", "القدموس")
    with override("ar"):
        today = date_format(timezone.localdate(), "j F Y")
    assert row["citation"].startswith(f"الشهادة {located.public_id}")
    assert today in row["citation"]


def test_coordinates_are_the_public_level_places_only(located, exporter):
    for fmt in ("csv", "json", "xlsx"):
        body = _get(exporter("researcher"), fmt).content
        if fmt == "xlsx":
            sheet = load_workbook(io.BytesIO(body))["Testimonies"]
            body = json.dumps([list(r) for r in sheet.values]).encode()
        text = body.decode("utf-8-sig")
        for finer in MARKET:
            assert str(finer) not in text, fmt
        assert str(QADMUS[0]) in text and str(QADMUS[1]) in text
        assert "qadmus-market" not in text and "سوق" not in text
    (row,) = csv_rows(_get(exporter("researcher"), "csv"))
    assert (row["latitude"], row["longitude"]) == tuple(map(str, QADMUS))


def test_json_says_what_it_is_and_holds_places_at_every_level(located, exporter):
    document = json.loads(_get(exporter("researcher"), "json", q="gunmen").content)
    assert document["archive"]["name"] == "Eyewitness testimony archive"
    assert document["archive"]["version"]
    assert document["language"] == "en"
    assert document["query"] == {"q": "gunmen"}
    assert document["exported_on"] == timezone.localdate().isoformat()
    assert (document["count"], document["exported"]) == (1, 1)
    (place,) = document["results"][0]["places"]
    assert place["district"]["name_ar"] == "منطقة بانياس"
    assert (place["latitude"], place["longitude"]) == QADMUS
    arabic = json.loads(_get(exporter("researcher"), "json", language="ar").content)
    assert arabic["language"] == "ar"
    assert arabic["results"][0]["places"][0]["governorate"]["name"] == "محافظة طرطوس"
    assert arabic["results"][0]["event_type_names"] == ["قتل"]


def test_the_csv_sidecar_names_the_search_the_date_the_version_and_the_columns(
    located, exporter
):
    client = exporter("researcher")
    sidecar = json.loads(_get(client, "csv-metadata.json", place="qadmus").content)
    header = list(csv_rows(_get(client, "csv", place="qadmus"))[0])
    assert sidecar["@context"] == "http://www.w3.org/ns/csvw"
    assert sidecar["url"].endswith("/search/export.csv?place=qadmus")
    assert sidecar["query"] == {"place": ["qadmus"]}
    assert (sidecar["count"], sidecar["exported"], sidecar["truncated"]) == (
        1, 1, False,
    )  # fmt: skip
    assert sidecar["archive"]["version"]
    assert [c["name"] for c in sidecar["tableSchema"]["columns"]] == header
    # Nothing of any testimony in it.
    assert located.public_id not in json.dumps(sidecar)


def test_xlsx_holds_the_csvs_rows_and_an_about_sheet(located, exporter):
    client = exporter("researcher")
    response = _get(client, "xlsx", q="gunmen")
    assert response["Content-Disposition"].endswith('.xlsx"')
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORTED).latest("pk")
    assert json.loads(entry.detail)["format"] == "xlsx"
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook["Testimonies"].values)
    (csv_row,) = csv_rows(_get(client, "csv", q="gunmen"))
    assert list(rows[0]) == list(csv_row)
    assert [cell or "" for cell in rows[1]] == list(csv_row.values())
    about = dict(workbook["About"].values)
    assert json.loads(about["query"]) == {"q": "gunmen"}
    assert about["exported"] == "1"


@pytest.mark.parametrize("fmt", NEW_FORMATS)
def test_new_formats_send_anonymous_visitors_to_log_in(located, client, fmt):
    response = client.get(f"/search/export.{fmt}")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("fmt", NEW_FORMATS)
def test_new_formats_refuse_documenters(located, client_for, documenter, fmt):
    assert client_for(documenter).get(f"/search/export.{fmt}").status_code == 403


@pytest.mark.parametrize("fmt", NEW_FORMATS)
def test_new_formats_want_a_moderators_second_factor(
    located, client_for, moderator, fmt
):
    response = client_for(moderator, verified=False).get(f"/search/export.{fmt}")
    assert response.status_code == 302
    assert "/accounts/two-factor/" in response["Location"]


@pytest.mark.parametrize("role", ["researcher", "moderator"])
@pytest.mark.parametrize("fmt", NEW_FORMATS)
def test_new_formats_serve_researchers_and_verified_moderators(
    located, exporter, role, fmt
):
    response = export(exporter(role), fmt)
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment; filename=")
