"""Helpers the incident tests share (the fixtures are in conftest.py)."""

import datetime

from testimonies.models import Testimony


def day(text):
    return datetime.date.fromisoformat(text)


def generalise(testimony, *, levels_up=0, dates=""):
    """The public view an approval chose after a re-identification check."""
    Testimony.objects.filter(pk=testimony.pk).update(
        public_place_levels_up=levels_up, public_date_precision=dates
    )
    testimony.refresh_from_db()
    return testimony
