"""Helpers the incident tests share (the fixtures are in conftest.py)."""

import datetime

from testimonies.incidents.services import incident_propose
from testimonies.models import Community, EventType, Testimony


def day(text):
    return datetime.date.fromisoformat(text)


def incident_proposed(
    moderator, title="Killings in Hai Al Kusour", *, places=(), **fields
):
    """An incident proposed by `moderator`, with these places and dates (the
    `make_incident` fixture, for a module's data built once)."""
    fields.setdefault("start", day("2025-03-07"))
    fields.setdefault("end", day("2025-03-08"))
    return incident_propose(
        user=moderator,
        title=title,
        title_ar=fields.pop("title_ar", "مقتلة حي القصور"),
        places=places,
        event_types=EventType.objects.filter(slug="killing"),
        communities=Community.objects.filter(slug="alawite"),
        **fields,
    )


def generalise(testimony, *, levels_up=0, dates=""):
    """The public view an approval chose after a re-identification check."""
    Testimony.objects.filter(pk=testimony.pk).update(
        public_place_levels_up=levels_up, public_date_precision=dates
    )
    testimony.refresh_from_db()
    return testimony
