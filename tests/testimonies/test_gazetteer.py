"""manage.py load_gazetteer SY: ISO 3166-2 governorates, GeoNames towns and
the curated file, loaded idempotently."""

import pytest
from django.core.management import call_command

from testimonies.models import Place, PlaceKind
from testimonies.places.gazetteer import PlaceResolver, place_save
from testimonies.places.sources import best_arabic_name

pytestmark = pytest.mark.django_db


def load(capsys):
    call_command("load_gazetteer", "SY")
    return capsys.readouterr().out


def test_a_second_load_creates_and_changes_nothing(capsys):
    first = load(capsys)
    count = Place.objects.count()
    assert f"SY: {count} created, 0 unchanged, 0 updated." in first
    second = load(capsys)
    assert f"SY: 0 created, {count} unchanged, 0 updated." in second
    assert Place.objects.count() == count


def test_syria_has_its_fourteen_governorates_with_iso_codes(capsys):
    load(capsys)
    governorates = Place.objects.filter(kind=PlaceKind.GOVERNORATE)
    assert governorates.count() == 14
    assert {g.external_code for g in governorates} == {
        "SY-DI", "SY-DR", "SY-DY", "SY-HA", "SY-HI", "SY-HL", "SY-HM",
        "SY-ID", "SY-LA", "SY-QU", "SY-RA", "SY-RD", "SY-SU", "SY-TA",
    }  # fmt: skip
    tartus = Place.objects.get(external_code="SY-TA")
    assert tartus.slug == "tartus-governorate"
    assert "Ţarţūs" in tartus.variants  # its ISO 3166-2 name


def test_banias_is_known_with_its_spellings_under_tartus(capsys):
    load(capsys)
    banias = Place.objects.get(slug="banias")
    assert banias.name_ar == "بانياس"
    assert {"Baniyas", "Bāniyās", "Banyas", "Banijas"} <= set(banias.variants)
    assert banias.geonames_id == 171830
    assert banias.population and banias.latitude and banias.longitude
    tartus = Place.objects.get(slug="tartus-governorate")
    assert banias in Place.objects.within(tartus)
    resolver = PlaceResolver()
    for spelling in ["Banias", "Baniyas", "Bāniyās", "BANIYAS", "بانياس", "بانِياس"]:
        assert resolver.resolve(spelling) == banias


def test_the_curated_slugs_stay(capsys):
    load(capsys)
    slugs = ["sy", "tartus-governorate", "latakia-governorate", "banias", "tartus",
             "latakia", "jableh", "hai-al-kusour", "ras-al-nabaa"]  # fmt: skip
    for slug in slugs:
        assert Place.objects.filter(slug=slug).exists(), slug


def test_geonames_villages_come_with_arabic_names_under_their_governorate(capsys):
    load(capsys)
    talin = Place.objects.get(geonames_id=163774)  # Tālīn, Tartus
    assert talin.name_ar == "تالين"
    assert talin.parent.slug == "tartus-governorate"
    assert "Talin" in talin.variants or talin.name == "Tālīn"
    # Letter-by-letter transliterations are not spellings people use.
    assert "talyn" not in talin.variants


def test_a_plain_name_shared_with_the_governorate_means_the_town(capsys):
    load(capsys)
    resolver = PlaceResolver()
    assert resolver.resolve("Tartus").slug == "tartus"
    assert resolver.resolve("طرطوس").slug == "tartus"
    assert resolver.resolve("Ţarţūs").slug == "tartus"
    assert resolver.resolve("Tartus Governorate").slug == "tartus-governorate"
    assert resolver.resolve("محافظة طرطوس").slug == "tartus-governorate"


def test_a_documenters_neighbourhood_stays_with_its_town_through_a_refresh(capsys):
    load(capsys)
    added = PlaceResolver().resolve_or_create(
        name="Hai al-Mina", parent_name="Banias", kind="neighbourhood"
    )
    # The town's data went astray (moved by hand, spellings lost): the
    # refresh puts it back, and the neighbourhood moves with it.
    banias = Place.objects.get(slug="banias")
    banias.parent = Place.objects.get(slug="latakia-governorate")
    banias.variants = []
    place_save(place=banias)
    assert "latakia-governorate" in Place.objects.get(pk=added.pk).path
    out = load(capsys)
    assert "0 created" in out and "1 updated" in out
    banias.refresh_from_db()
    added.refresh_from_db()
    assert banias.parent.slug == "banias-district"
    assert "Baniyas" in banias.variants
    assert added.parent == banias
    assert added.path == banias.path + "hai-al-mina/"
    assert added in Place.objects.within(Place.objects.get(slug="tartus-governorate"))


def test_the_arabic_name_chosen_is_the_one_that_reads_like_the_place():
    assert best_arabic_name("Ar Rawḑah", ["بزاق", "الروضة"]) == "الروضة"
    assert best_arabic_name("Sabbah", ["عين التينة", "سبة"]) == "سبة"
    # Persian and Urdu letters are not Arabic names.
    assert best_arabic_name("Latakia", ["لاذقیه", "اللاذقية"]) == "اللاذقية"
    assert best_arabic_name("Nowhere", []) == ""
