import pytest

from testimonies.incidents.services import incident_link
from tests.testimonies.incidents.incident_helpers import incident_proposed


@pytest.fixture
def make_incident(moderator):
    """An incident proposed by a moderator, with these places and dates."""

    def make(title="Killings in Hai Al Kusour", *, places=(), **fields):
        return incident_proposed(moderator, title, places=places, **fields)

    return make


@pytest.fixture
def link(moderator):
    def make(incident, testimony, role="describes"):
        return incident_link(
            user=moderator, incident=incident, testimony=testimony, role=role
        )

    return make
