"""A village is a place kind of its own: in the import, the place picker,
the gazetteer and exports, ranked with towns, never more precise in public
than a town would be."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from search.selectors import place_levels
from testimonies.models import Place, PlaceKind, Testimony
from testimonies.places.gazetteer import PlaceResolver
from testimonies.redaction.generalisation import Generaliser, PlaceLexicon, PublicView
from tests import factories
from tests.testimonies.test_generalisation import MARCH_2025
from tests.testimonies.test_import import line

pytestmark = pytest.mark.django_db


def import_lines(tmp_path, *lines):
    path = tmp_path / "lines.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    call_command("import_testimonies", str(path))


def test_the_import_takes_a_village(gazetteer, documenter, tmp_path):
    village = {"name": "Ain al-Sharqiyah", "name_ar": "عين الشرقية",
               "parent": "Jableh", "kind": "village"}  # fmt: skip
    import_lines(tmp_path, line(places=[village]))
    place = Testimony.objects.get().places.get(name="Ain al-Sharqiyah")
    assert (place.kind, place.get_kind_display()) == (PlaceKind.VILLAGE, "Village")
    assert place.parent.slug == "jableh"


def test_the_place_picker_names_a_village_as_such(client_for, documenter, coast):
    jableh = Place.objects.get(slug="jableh")
    factories.place("snobar", "Al-Sanobar", parent=jableh, kind="village",
                    name_ar="السنوبر")  # fmt: skip
    client = client_for(documenter)
    results = client.get(reverse("testimonies:place-search"), {"q": "Sanobar"}).json()
    assert results["results"][0]["kind"] == "Village"
    arabic = client.get(
        "/ar" + reverse("testimonies:place-search"), {"q": "السنوبر"}
    ).json()
    assert arabic["results"][0]["kind"] == "قرية"


def test_a_plain_name_shared_with_its_subdistrict_means_the_village(coast):
    governorate = Place.objects.get(slug="latakia-governorate")
    unit = factories.place(
        "qarfeis-sub", "Qarfeis", parent=governorate, kind="subdistrict"
    )
    village = factories.place("qarfeis", "Qarfeis", parent=unit, kind="village")
    assert PlaceResolver().resolve("Qarfeis") == village


def test_exports_name_a_village_at_the_town_level(coast):
    jableh = Place.objects.get(slug="jableh")
    village = factories.place("qarfeis", "Qarfeis", parent=jableh, kind="village")
    levels = place_levels([village])["qarfeis"]
    assert levels["town"] == village


def test_the_gazetteer_knows_the_coasts_villages_and_public_text_says_no_more(
    gazetteer,
):
    assert Place.objects.get(slug="bayda").kind == PlaceKind.VILLAGE
    district = Place.objects.get(slug="banias-district").path
    view = Generaliser(PublicView((district,), "", MARCH_2025), PlaceLexicon())
    assert view.generalise("They came to Al-Bayda village at dawn.", "en") == (
        "They came to [a town or village in Baniyas District] at dawn."
    )
    arabic = view.generalise("جاؤوا إلى قرية البيضا فجرًا.", "ar")
    assert "البيضا" not in arabic and "قرية البيضا" not in arabic
