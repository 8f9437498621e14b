"""Reads behind the testimony pages."""

import pytest

from testimonies.core.selectors import place_trails

pytestmark = pytest.mark.django_db


def test_place_trails_run_from_the_governorate_down(coast):
    (trail,) = place_trails([coast["hai-al-kusour"]])
    assert [p.slug for p in trail] == ["tartus-governorate", "banias", "hai-al-kusour"]


def test_a_place_on_another_tagged_place_trail_adds_no_trail(coast):
    trails = place_trails([coast["banias"], coast["hai-al-kusour"], coast["jableh"]])
    assert [[p.slug for p in trail] for trail in trails] == [
        ["tartus-governorate", "banias", "hai-al-kusour"],
        ["latakia-governorate", "jableh"],
    ]
