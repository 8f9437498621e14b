"""Consent people can read: each testimony's permitted use shown to its
readers (page, search results, the API) and carried by exports, in English
and Arabic; and photos and documents asked about in their own question, in
both languages, on the consent form and in the import."""

import csv
import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from testimonies.models import ConsentRecord, ConsentScope
from tests import factories
from tests.markers import committed_db

pytestmark = committed_db

RESEARCHERS_ONLY = "Researchers only: not for publication or quotation"
RESEARCHERS_ONLY_AR = "للباحثين فقط: لا يجوز نشرها ولا الاقتباس منها"


@pytest.fixture
def two(coast):
    """One account for researchers only, one public and quotable."""
    return {
        "researchers": factories.testimony(
            narrative="The convoy stopped at the mill.",
            consent={"archive": True, "researchers": True},
        ),
        "public": factories.testimony(
            narrative="The convoy burned the mill.",
            consent={
                "archive": True,
                "researchers": True,
                "public": True,
                "media": True,
                "images": "researchers",
            },  # fmt: skip
        ),
    }


@pytest.mark.parametrize(
    "scopes, code",
    [
        ({"archive": True, "researchers": True}, "researchers-only"),
        ({"archive": True, "researchers": True, "media": True}, "researchers-quotable"),
        ({"archive": True, "public": True}, "public"),
        ({"archive": True, "researchers": True, "public": True}, "public"),
        ({"archive": True, "public": True, "media": True}, "public-quotable"),
        ({"archive": True, "accountability": True}, "staff-only"),
        ({"archive": True}, "staff-only"),
    ],
)
def test_every_combination_has_its_permitted_use(scopes, code):
    record = ConsentRecord(**{s: scopes.get(s, False) for s in ConsentScope.values})
    assert record.permitted_use.code == code
    # Whether a witness gives evidence to courts is nobody's business here.
    assert "ccountab" not in record.permitted_use.text


def test_a_researcher_reads_the_permitted_use_on_the_page(two, researcher, client_for):
    client = client_for(researcher)
    body = client.get(two["researchers"].get_absolute_url()).content.decode()
    assert "Permitted use" in body and RESEARCHERS_ONLY in body
    assert "Photos and documents: not asked yet (not shown)" in body
    body = client.get(two["public"].get_absolute_url()).content.decode()
    assert "Public: may be published and quoted, with every name removed" in body
    assert "Photos and documents: shown to researchers" in body
    body = client.get("/ar" + two["researchers"].get_absolute_url()).content.decode()
    assert RESEARCHERS_ONLY_AR in body


def test_search_results_show_each_ones_permitted_use(two, researcher, client_for):
    client = client_for(researcher)
    page = client.get(reverse("search:page"), {"q": "convoy"}).content.decode()
    assert RESEARCHERS_ONLY in page
    assert "Public: may be published and quoted" in page
    answer = client.get("/api/search/", {"q": "convoy"}).json()
    uses = {r["id"]: r["permitted_use"] for r in answer["results"]}
    assert uses[two["researchers"].public_id] == {
        "code": "researchers-only",
        "text": RESEARCHERS_ONLY,
        "images": "",
    }
    assert uses[two["public"].public_id]["code"] == "public-quotable"
    assert uses[two["public"].public_id]["images"] == "researchers"
    page = client.get("/ar" + reverse("search:page"), {"q": "convoy"}).content.decode()
    assert RESEARCHERS_ONLY_AR in page


def test_exports_carry_the_permitted_use(two, researcher, client_for):
    client = client_for(researcher)
    document = json.loads(
        client.get(reverse("search-api:export-json"), {"q": "convoy"}).content
    )
    uses = {row["id"]: row["permitted_use"] for row in document["results"]}
    assert uses[two["researchers"].public_id]["code"] == "researchers-only"
    assert uses[two["public"].public_id]["code"] == "public-quotable"
    text = client.get(reverse("search-api:export-csv"), {"q": "convoy"}).content
    rows = {
        row["id"]: row for row in csv.DictReader(io.StringIO(text.decode("utf-8-sig")))
    }
    row = rows[two["researchers"].public_id]
    assert row["permitted_use"] == RESEARCHERS_ONLY
    assert row["permitted_use_code"] == "researchers-only"
    assert rows[two["public"].public_id]["images_shown"] == "researchers"


# The photos-and-documents question


def consent_url(testimony):
    return reverse("testimonies:consent", args=[testimony.public_id])


FORM = {
    "archive": "on", "researchers": "on", "method": "oral",
    "obtained_by": "documenter", "obtained_on": "2025-03-20",
    "explained_purpose": "on", "explained_audience": "on",
    "explained_risks": "on", "explained_withdrawal": "on",
    "witness_is_minor": "no",
}  # fmt: skip


@pytest.fixture
def draft(documenter):
    return factories.testimony(status="draft", recorded_by=documenter, consent={})


def test_the_consent_form_asks_about_images_in_both_languages(
    draft, documenter, client_for
):
    body = client_for(documenter).get(consent_url(draft)).content.decode()
    assert "May the photos and documents be shown, and to whom?" in body
    assert "هل يجوز عرض الصور والوثائق، ولمن؟" in body
    for value in ("none", "researchers", "public"):
        assert f'name="images" value="{value}"' in body
    assert 'name="images" value=""' not in body  # "not asked" is no answer
    assert "only its staff see them" in body  # each answer explained...
    assert "يراها موظفوه وحدهم" in body  # ...in Arabic too


def test_the_consent_form_needs_an_answer_about_images(draft, documenter, client_for):
    client = client_for(documenter)
    response = client.post(consent_url(draft), FORM)
    assert response.status_code == 200
    assert "Ask the witness whether photos and documents may be shown." in (
        response.content.decode()
    )
    assert not draft.consent_records.exists()
    client.post(consent_url(draft), {**FORM, "images": "public"})
    assert draft.current_consent().images == "public"


def import_line(tmp_path, **consent):
    line = {
        "external_id": "img-1",
        "witness": {"name": "Layla Haddad"},
        "language": "en",
        "narrative": "They took the photos.",
        "recorded_on": "2025-03-10",
        "consent": {
            "archive": True,
            "researchers": True,
            "obtained_on": "2025-03-10",
            "method": "written",
            "obtained_by": "staff",
            **consent,
        },
    }
    path = tmp_path / "line.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    return str(path)


def test_the_import_accepts_the_answer_about_images(db, tmp_path):
    call_command("import_testimonies", import_line(tmp_path, images="researchers"))
    record = ConsentRecord.objects.get(testimony__external_id="img-1")
    assert record.images == "researchers"
    # The same line again: nothing changed, nothing appended.
    call_command("import_testimonies", import_line(tmp_path, images="researchers"))
    assert ConsentRecord.objects.filter(testimony__external_id="img-1").count() == 1
    # The witness now says no: a new record.
    call_command("import_testimonies", import_line(tmp_path, images="none"))
    records = ConsentRecord.objects.filter(testimony__external_id="img-1")
    assert [r.images for r in records.order_by("pk")] == ["researchers", "none"]


def test_an_import_without_the_answer_shows_no_image(db, tmp_path):
    call_command("import_testimonies", import_line(tmp_path))
    assert ConsentRecord.objects.get(testimony__external_id="img-1").images == ""


def test_the_import_refuses_an_unknown_answer(db, tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command("import_testimonies", import_line(tmp_path, images="everyone"))
    assert "consent.images must be one of none | public | researchers" in (
        capsys.readouterr().err
    )


def test_a_full_withdrawal_withdraws_the_images_too(two):
    from testimonies.consent.services.consent import consent_record, consent_withdraw

    record = consent_withdraw(
        testimony=two["public"], scopes=None, reason="asked", obtained_by="staff"
    )
    assert record.images == "none"
    consent_record(
        testimony=two["researchers"],
        scopes={"archive": True, "researchers": True},
        method="oral",
        obtained_by="staff",
        obtained_on=datetime.date(2025, 4, 1),
        images="public",
    )
    record = consent_withdraw(
        testimony=two["researchers"], scopes=["images"], reason="asked",
        obtained_by="staff",
    )  # fmt: skip
    assert (record.images, record.researchers) == ("none", True)
