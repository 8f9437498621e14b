import pytest

from testimonies.incidents.services import incident_link, incident_propose
from testimonies.models import Community, EventType
from tests.testimonies.incidents.incident_helpers import day


@pytest.fixture
def make_incident(moderator):
    """An incident proposed by a moderator, with these places and dates."""

    def make(title="Killings in Hai Al Kusour", *, places=(), **fields):
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

    return make


@pytest.fixture
def link(moderator):
    def make(incident, testimony, role="describes"):
        return incident_link(
            user=moderator, incident=incident, testimony=testimony, role=role
        )

    return make
