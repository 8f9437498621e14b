"""/search/export.csv and /search/export.json: the current search, as files
holding only what each testimony's consent lets leave the archive.

These tests only read: the testimonies are built once for the module. The
tests that change them (a withdrawal, new recording dates, a testimony of
their own) are in test_exports_changes.py."""

import csv
import datetime
import io
import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from archive.audit import keyed_digest
from archive.models import AuditEntry
from search.audit_actions import AuditAction
from testimonies.consent.services.consent import consent_withdraw
from testimonies.redaction.redactor import redacted_texts
from testimonies.vault.identity import identity_store
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.index_kept]

FORMATS = ["csv", "json"]
# Everything that identifies the witness or a person named, in both scripts.
SECRETS = [
    "Ayman", "Fares", "أيمن", "فارس", "Samir", "Khoury", "سمير", "خوري",
    "+963 955 123 456", "1979",
]  # fmt: skip
EXPORTED = {"researchers", "researchers-and-public", "arabic"}


def consent_states(coast) -> dict:
    """Banias testimonies in every consent state an export must tell apart."""
    with factories.together():
        T = factories.testimony
        banias = [coast["banias"]]
        named = T(
            witness_name="Ayman Fares",
            narrative="Ayman Fares saw gunmen in Banias take Samir Khoury away.",
            translations={"ar": "رأى أيمن فارس مسلحين في بانياس يأخذون سمير خوري."},
            persons_named=[["Samir Khoury", "سمير خوري"]],
            places=banias,
            consent={"archive": True, "researchers": True},
        )
        identity_store(
            witness=named.witness,
            name="Ayman Fares",
            name_variants=["أيمن فارس"],
            contact="+963 955 123 456",
            birth_year=1979,
        )
        named.summary = "Ayman Fares on the taking of Samir Khoury."
        named.save()
        made = {
            "researchers": named,
            "researchers-and-public": T(
                narrative="In Banias the shelling began at dawn.", places=banias
            ),
            "arabic": T(
                narrative="في بانياس أحرقوا البيوت في الليل.",
                language="ar",
                places=banias,
                consent={"archive": True, "researchers": True},
            ),
            "public-only": T(
                narrative="Banias public-only account.",
                places=banias,
                consent={"archive": True, "public": True},
            ),
            "accountability-only": T(
                narrative="Banias account for the commission of inquiry.",
                places=banias,
                consent={"archive": True, "accountability": True},
            ),
            "withdrawn": T(narrative="Banias account later withdrawn.", places=banias),
            "researchers-withdrawn": T(
                narrative="Banias account no longer shared with researchers.",
                places=banias,
            ),
            "embargoed": T(
                narrative="Banias account under embargo.",
                places=banias,
                consent={
                    "archive": True,
                    "researchers": True,
                    "public": True,
                    "embargo_until": datetime.date(2099, 1, 1),
                },  # fmt: skip
            ),
            "submitted": T(
                narrative="Banias account still under review.",
                places=banias,
                status="submitted",
                consent={"archive": True, "researchers": True},
            ),
        }
        consent_withdraw(
            testimony=made["withdrawn"], scopes=None, reason="afraid", obtained_by="d"
        )
        consent_withdraw(
            testimony=made["researchers-withdrawn"],
            scopes=["researchers"],
            reason="only the public report",
            obtained_by="d",
        )
    return made


@pytest.fixture(scope="module")
def consents(built_once):
    """`consent_states`, built once: these tests only read them."""
    return built_once(lambda: consent_states(factories.coast()))


def export(client, fmt, **params):
    response = client.get(f"/search/export.{fmt}", params)
    assert response.status_code == 200, response.content
    return response


def csv_rows(response):
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM, for Excel
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def exported_ids(response, fmt):
    if fmt == "json":
        return [row["id"] for row in json.loads(response.content)["results"]]
    return [row["id"] for row in csv_rows(response)]


def public_ids(made, keys):
    return {made[key].public_id for key in keys}


@pytest.fixture
def two_factor_url():
    return reverse("two-factor")


# Permissions


@pytest.mark.parametrize("fmt", FORMATS)
def test_anonymous_visitors_are_sent_to_log_in(consents, client_for, anonymous, fmt):
    response = client_for(anonymous).get(f"/search/export.{fmt}", {"q": "Banias"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORTED).exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_documenters_may_not_export(consents, client_for, documenter, fmt):
    response = client_for(documenter).get(f"/search/export.{fmt}")
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORTED).exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_signed_in_users_without_a_role_may_not_export(consents, client_for, fmt):
    nobody = factories.UserFactory(username="nobody")
    assert client_for(nobody).get(f"/search/export.{fmt}").status_code == 403


@pytest.mark.parametrize("fmt", FORMATS)
def test_moderators_must_verify_their_second_factor_first(
    consents, client_for, moderator, two_factor_url, fmt
):
    response = client_for(moderator, verified=False).get(
        f"/search/export.{fmt}", {"q": "Banias"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(f"{two_factor_url}?next=")
    assert f"export.{fmt}" in response["Location"]
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORTED).exists()


@pytest.mark.parametrize("role", ["researcher", "moderator"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_researchers_and_verified_moderators_export(consents, exporter, role, fmt):
    response = export(exporter(role), fmt)
    assert response["Content-Type"].startswith(
        {"csv": "text/csv", "json": "application/json"}[fmt]
    )
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment; filename=")


@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_answer_only_get(consents, exporter, fmt):
    assert exporter("researcher").post(f"/search/export.{fmt}").status_code == 405


# What an export holds


@pytest.mark.parametrize("role", ["researcher", "moderator"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_export_holds_exactly_the_testimonies_consented_for_researchers(
    consents, exporter, role, fmt
):
    client = exporter(role)
    # The search itself shows this user more (public-only; for moderators
    # everything): consent decides what leaves, not what one may read.
    shown = client.get("/api/search/", {"q": "Banias", "page_size": 100}).json()
    assert len(shown["results"]) > len(EXPORTED)
    response = export(client, fmt, q="Banias")
    ids = exported_ids(response, fmt)
    assert sorted(ids) == sorted(public_ids(consents, EXPORTED))
    assert response["X-Export-Count"] == "3"
    assert response["X-Export-Truncated"] == "false"


def test_the_search_filters_apply_to_the_export(consents, exporter):
    response = export(exporter("researcher"), "json", q="dawn")
    assert exported_ids(response, "json") == [
        consents["researchers-and-public"].public_id
    ]
    response = export(exporter("researcher"), "json", place="jableh")
    assert exported_ids(response, "json") == []


def test_json_export_shape_and_redacted_texts(consents, exporter):
    document = json.loads(export(exporter("researcher"), "json", q="Ayman").content)
    # The witness's name is not searchable, so search by what is left of it.
    assert document["count"] == 0
    document = json.loads(export(exporter("researcher"), "json", q="gunmen").content)
    testimony = consents["researchers"]
    texts = redacted_texts(testimony)
    pseudonym = testimony.witness.pseudonym
    assert {k: document[k] for k in ("count", "exported", "truncated")} == {
        "count": 1, "exported": 1, "truncated": False,
    }  # fmt: skip
    assert document["query"] == {"q": "gunmen"}
    (row,) = document["results"]
    assert row == {
        "id": testimony.public_id,
        "url": f"http://testserver/testimonies/{testimony.public_id}/",
        "pseudonym": pseudonym,
        "language": "en",
        "recorded_on": "2025-04-01",
        "incident": {"start": "2025-03-07", "end": "2025-03-09", "precision": "day"},
        "places": [
            {
                "slug": "banias",
                "name": "Banias",
                "name_en": "Banias",
                "name_ar": "بانياس",
                "kind": "town",
                "governorate": {
                    "slug": "tartus-governorate",
                    "name": "Tartus Governorate",
                    "name_en": "Tartus Governorate",
                    "name_ar": "محافظة طرطوس",
                },
                "district": None,
                "town": {
                    "slug": "banias",
                    "name": "Banias",
                    "name_en": "Banias",
                    "name_ar": "بانياس",
                },
                "latitude": None,
                "longitude": None,
            }
        ],  # fmt: skip
        "communities": ["alawite"],
        "community_names": ["Alawite"],
        "event_types": ["killing"],
        "event_type_names": ["Killing"],
        "narrative": texts.narrative,
        "translations": {"ar": texts.translations["ar"]},
        "summary": texts.summary,
        "permitted_use": {
            "code": "researchers-only",
            "text": "Researchers only: not for publication or quotation",
            "images": "",
        },
        "citation": row["citation"],
        "incidents": [],  # none linked (tests/search/test_exports_incidents.py)
    }
    today = date_format(timezone.localdate(), "j F Y")
    assert row["citation"] == (
        f"Testimony {testimony.public_id}, Eyewitness testimony archive, "
        f"recorded 1 April 2025, version of {today}, "
        f"http://testserver/testimonies/{testimony.public_id}/, accessed {today}"
    )
    assert row["narrative"] == (
        f"[{pseudonym}] saw gunmen in Banias take [person 1] away."
    )
    assert row["translations"]["ar"].startswith(f"رأى [{pseudonym}] مسلحين")
    assert "[شخص 1]" in row["translations"]["ar"]
    assert row["summary"] == f"[{pseudonym}] on the taking of [person 1]."


@pytest.mark.parametrize("role", ["researcher", "moderator"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_no_identity_and_no_original_text_in_any_export(consents, exporter, role, fmt):
    client = exporter(role)
    for params in [{}, {"q": "Banias"}, {"q": "gunmen"}, {"place": "banias"}]:
        body = export(client, fmt, **params).content.decode("utf-8-sig")
        for secret in SECRETS:
            assert secret not in body, (params, secret)
        assert consents["researchers"].narrative not in body


def test_csv_export_columns_and_arabic_round_trip(consents, exporter):
    rows = {row["id"]: row for row in csv_rows(export(exporter("researcher"), "csv"))}
    arabic = consents["arabic"]
    row = rows[arabic.public_id]
    assert row["narrative"] == "في بانياس أحرقوا البيوت في الليل."
    assert row["language"] == "ar"
    assert (row["places"], row["place_names"]) == ("banias", "Banias")
    named = rows[consents["researchers"].public_id]
    pseudonym = consents["researchers"].witness.pseudonym
    assert (
        named["translation_ar"]
        == redacted_texts(consents["researchers"]).translations["ar"]
    )
    assert named["translation_ar"].startswith(f"رأى [{pseudonym}]")
    assert (named["incident_start"], named["incident_end"]) == (
        "2025-03-07",
        "2025-03-09",
    )
    assert named["communities"] == "alawite" and named["event_types"] == "killing"


def test_place_names_follow_the_requesters_language(consents, exporter):
    client = exporter("researcher")
    response = client.get("/search/export.csv", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200
    names = {row["place_names"] for row in csv_rows(response)}
    assert names == {"بانياس"}
    document = json.loads(
        client.get("/search/export.json", HTTP_ACCEPT_LANGUAGE="ar").content
    )
    assert {p["name"] for r in document["results"] for p in r["places"]} == {"بانياس"}


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"),
        ("\tx", "'\tx"), ("\rx", "'\rx"), ("Banias = 2", "Banias = 2"),
        ("بانياس", "بانياس"), ("", ""), ("2025-03-07", "2025-03-07"),
    ],
)  # fmt: skip
def test_spreadsheet_safe_cells(cell, safe):
    from search.exports import spreadsheet_safe

    assert spreadsheet_safe(cell) == safe


# Logged


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_export_is_logged_with_ids_only(consents, exporter, researcher, fmt):
    response = export(exporter("researcher"), fmt, place="banias")
    (entry,) = AuditEntry.objects.filter(action=AuditAction.EXPORTED)
    assert entry.actor == researcher
    detail = json.loads(entry.detail)
    assert detail == {
        "format": fmt,
        "query": {"place": ["banias"]},
        "count": 3,
        "exported": 3,
        "truncated": False,
        "ids": exported_ids(response, fmt),
    }
    for secret in [*SECRETS, "shelling", "بانياس", "gunmen"]:
        assert secret not in entry.detail


def test_the_words_of_the_query_are_logged_only_as_a_keyed_digest(consents, exporter):
    export(exporter("researcher"), "json", q="Ayman Fares")
    entry = AuditEntry.objects.get(action=AuditAction.EXPORTED)
    assert "Ayman" not in entry.detail and "Fares" not in entry.detail
    logged = json.loads(entry.detail)["query"]["q"]
    assert logged == f"hmac-sha256:{keyed_digest('Ayman Fares')}"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "params",
    [
        {"place": "atlantis"},
        {"date_from": "2025-13-01"},
        {"date_from": "2025-03-10", "date_to": "2025-03-01"},
        {"plac": "banias"},
    ],
)
def test_bad_parameters_get_400_and_export_nothing(consents, exporter, params, fmt):
    response = exporter("researcher").get(f"/search/export.{fmt}", params)
    assert response.status_code == 400
    if fmt == "json":
        assert response.json()["error"] and response.json()["fields"]
    else:
        assert response["Content-Type"].startswith("text/plain")
        assert consents["researchers"].public_id not in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORTED).exists()


def test_pages_are_ignored_an_export_is_the_whole_result(consents, exporter):
    response = export(exporter("researcher"), "json", page=2, page_size=1)
    assert len(exported_ids(response, "json")) == 3


def test_file_names_carry_the_date(consents, exporter):
    with time_machine.travel(datetime.datetime(2031, 5, 2, 12, tzinfo=datetime.UTC)):
        for fmt in FORMATS:
            response = export(exporter("researcher"), fmt)
            assert response["Content-Disposition"] == (
                f'attachment; filename="testimonies-2031-05-02.{fmt}"'
            )
        document = json.loads(export(exporter("researcher"), "json").content)
        assert document["exported_on"] == "2031-05-02"


# The search page's links


@pytest.mark.parametrize("role", ["researcher", "moderator"])
def test_the_search_page_offers_exports_of_this_search(consents, exporter, role):
    page = exporter(role).get(
        "/search/", {"q": "Banias", "community": "alawite", "page": "2"}
    )
    html = page.content.decode()
    assert 'href="/search/export.csv?q=Banias&amp;community=alawite"' in html
    assert 'href="/search/export.json?q=Banias&amp;community=alawite"' in html


@pytest.mark.parametrize("role", ["anonymous", "documenter"])
def test_the_search_page_offers_no_export_to_others(consents, users, client_for, role):
    page = client_for(users[role]).get("/search/", {"q": "Banias"})
    assert page.status_code == 200
    assert "export" not in page.context
    assert "/search/export." not in page.content.decode()
