"""Suggested links, and the judged set that holds their quality: for each
of the testimony-incident pairs below a person judged which incident the
testimony describes; the right one must be among the first three the
archive suggests for at least 90% of them."""

import pytest

from testimonies.incidents.services import incident_link, incident_propose
from testimonies.incidents.suggestions import (
    incidents_suggested,
    testimonies_suggested,
)
from testimonies.models import EventType
from tests import factories
from tests.markers import committed_db
from tests.testimonies.incidents.incident_helpers import day

pytestmark = committed_db

# key: (title, places, start, end, precision, summary)
INCIDENTS = {
    "kusour": (
        "Killings in Hai Al Kusour, Banias", ["hai-al-kusour"],
        "2025-03-07", "2025-03-08", "day",
        "Armed men went from building to building in Hai Al Kusour and killed "
        "families in their homes; bodies were left on the rooftops.",
    ),
    "bayda": (
        "Al-Bayda massacre", ["al-bayda"], "2013-05-02", "2013-05-03", "day",
        "Soldiers and militiamen entered the village of Al-Bayda, killed "
        "villagers in their houses and burned the houses.",
    ),
    "ras": (
        "Ras al-Nabaa massacre in Banias", ["ras-al-nabaa"],
        "2013-05-03", "2013-05-04", "day",
        "Militiamen killed whole families in the Ras al-Nabaa neighbourhood "
        "and set fire to the bodies.",
    ),
    "jableh": (
        "Attack on checkpoints in Jableh and the clashes after it", ["jableh"],
        "2025-03-06", "2025-03-07", "day",
        "Gunmen attacked security checkpoints in Jableh; clashes, a curfew and "
        "shooting through the night followed.",
    ),
    "mukhtariyah": (
        "Killings in Al-Mukhtariyah", ["al-mukhtariyah"],
        "2025-03-07", "2025-03-07", "day",
        "The men of the village were gathered in the square and shot.",
    ),
    "detentions": (
        "Detentions at Tartus checkpoints", ["tartus"],
        "2013-01-01", "2013-12-31", "year",
        "Young men were detained at checkpoints around Tartus and disappeared "
        "in the security branches.",
    ),
    "looting": (
        "Looting of the Banias market", ["banias"], "2025-03-08", "2025-03-10",
        "day",
        "Shops in the old market of Banias were looted, then burned.",
    ),
    "sanobar": (
        "Killings in Al-Sanobar", ["al-sanobar"], "2025-03-07", "2025-03-08",
        "day",
        "Armed groups entered Al-Sanobar in the evening and killed residents "
        "in their houses near the main road.",
    ),
}  # fmt: skip

# (right incident, places, start, end, precision, narrative): a testimony
# tagged exactly, one tagged only with its town or a wider date, one that
# says it mostly in words.
JUDGED = [
    ("kusour", ["hai-al-kusour"], "2025-03-07", "2025-03-08", "day",
     "They went from building to building and shot my neighbours in their flat."),
    ("kusour", ["banias"], "2025-03-07", "2025-03-07", "day",
     "In Hai Al Kusour families were killed in their homes, bodies on the rooftops."),
    ("kusour", ["hai-al-kusour"], "2025-03-01", "2025-03-31", "month",
     "Armed men came to our building; we hid while they killed families."),
    ("bayda", ["al-bayda"], "2013-05-02", "2013-05-02", "day",
     "Soldiers came into the village and burned the houses with people inside."),
    ("bayda", ["banias"], "2013-05-01", "2013-05-31", "month",
     "My uncle was killed in Al-Bayda when militiamen burned the village houses."),
    ("bayda", ["al-bayda"], "2013-01-01", "2013-12-31", "year",
     "The villagers of Al-Bayda were gathered and killed."),
    ("ras", ["ras-al-nabaa"], "2013-05-03", "2013-05-03", "day",
     "They killed my husband and our children and set fire to the bodies."),
    ("ras", ["banias"], "2013-05-03", "2013-05-04", "day",
     "Militiamen killed whole families in Ras al-Nabaa; I escaped to the sea."),
    ("ras", ["ras-al-nabaa"], "2013-05-01", "2013-05-31", "month",
     "In our neighbourhood of Ras al-Nabaa families were killed at home."),
    ("jableh", ["jableh"], "2025-03-06", "2025-03-06", "day",
     "Gunmen attacked the checkpoint near my shop; clashes and shooting all night."),
    ("jableh", ["al-fayd"], "2025-03-06", "2025-03-07", "day",
     "A curfew was called after the attack on the security checkpoints."),
    ("jableh", ["jableh"], "2025-03-01", "2025-03-31", "month",
     "We did not sleep from the clashes and shooting through the night."),
    ("mukhtariyah", ["al-mukhtariyah"], "2025-03-07", "2025-03-07", "day",
     "They gathered the men of the village in the square and shot them."),
    ("mukhtariyah", ["latakia-governorate"], "2025-03-07", "2025-03-07", "day",
     "In Al-Mukhtariyah the men were gathered in the square and shot."),
    ("mukhtariyah", ["al-mukhtariyah"], "2025-03-01", "2025-03-31", "month",
     "My brothers were among the men shot in the village square."),
    ("detentions", ["tartus"], "2013-06-10", "2013-06-10", "day",
     "My son was detained at a checkpoint and disappeared in a security branch."),
    ("detentions", ["tartus-governorate"], "2013-01-01", "2013-12-31", "year",
     "Young men were detained at the Tartus checkpoints and never came back."),
    ("detentions", ["tartus"], "2013-01-01", "2013-12-31", "year",
     "I was detained at a checkpoint and held in a security branch for months."),
    ("looting", ["banias"], "2025-03-09", "2025-03-09", "day",
     "Our shop in the old market was looted and then burned."),
    ("looting", ["banias"], "2025-03-08", "2025-03-10", "day",
     "They looted the shops of the market for three days."),
    ("looting", ["tartus-governorate"], "2025-03-01", "2025-03-31", "month",
     "The old market of Banias was looted, then the shops were burned."),
    ("sanobar", ["al-sanobar"], "2025-03-07", "2025-03-07", "day",
     "Armed groups came into the village in the evening and killed residents."),
    ("sanobar", ["latakia-governorate"], "2025-03-07", "2025-03-08", "day",
     "In Al-Sanobar they killed people in their houses near the main road."),
    ("sanobar", ["al-sanobar"], "2025-03-01", "2025-03-31", "month",
     "Our houses near the main road were entered and residents were killed."),
]  # fmt: skip


@pytest.fixture
def judged_archive(coast, moderator):
    places = dict(coast)
    for slug, name, parent, kind in [
        ("al-bayda", "Al-Bayda", "tartus-governorate", "town"),
        ("ras-al-nabaa", "Ras al-Nabaa", "banias", "neighbourhood"),
        ("al-mukhtariyah", "Al-Mukhtariyah", "latakia-governorate", "town"),
        ("al-sanobar", "Al-Sanobar", "latakia-governorate", "town"),
        ("al-fayd", "Al-Fayd", "jableh", "neighbourhood"),
    ]:
        places[slug] = factories.place(slug, name, parent=places[parent], kind=kind)
    killing = EventType.objects.filter(slug="killing")
    incidents = {
        key: incident_propose(
            user=moderator,
            title=title,
            title_ar=title,
            summary=summary,
            start=day(start),
            end=day(end),
            precision=precision,
            places=[places[slug] for slug in slugs],
            event_types=killing,
        )
        for key, (title, slugs, start, end, precision, summary) in INCIDENTS.items()
    }
    with factories.together():
        testimonies = [
            (
                key,
                factories.testimony(
                    witness_name=f"Witness {n}",
                    narrative=narrative,
                    places=[places[slug] for slug in slugs],
                    incident=(day(start), day(end)),
                    precision=precision,
                ),
            )
            for n, (key, slugs, start, end, precision, narrative) in enumerate(JUDGED)
        ]
    return incidents, testimonies


def test_the_right_incident_is_in_the_first_three_for_nine_pairs_in_ten(
    judged_archive, moderator
):
    incidents, testimonies = judged_archive
    assert len(testimonies) >= 20
    missed = []
    for key, testimony in testimonies:
        suggested = incidents_suggested(testimony=testimony, user=moderator, limit=3)
        if incidents[key] not in [s.incident for s in suggested]:
            missed.append((key, testimony.narrative[:40]))
    assert len(missed) <= len(testimonies) // 10, missed


def test_an_incident_page_suggests_its_testimonies_with_reasons(
    judged_archive, moderator, documenter
):
    incidents, testimonies = judged_archive
    kusour = incidents["kusour"]
    exact = testimonies[0][1]
    suggested = testimonies_suggested(incident=kusour, user=moderator)
    by_testimony = {s.card.testimony: s for s in suggested}
    assert exact in by_testimony
    reasons = by_testimony[exact].reasons
    assert "Same place: Hai Al Kusour" in reasons
    assert any(reason.startswith("Dates overlap") for reason in reasons)
    # Linked, it is no longer suggested.
    incident_link(user=moderator, incident=kusour, testimony=exact)
    suggested = testimonies_suggested(incident=kusour, user=moderator)
    assert exact not in {s.card.testimony for s in suggested}
    # A documenter is offered only the testimonies they may link: their own.
    assert testimonies_suggested(incident=kusour, user=documenter) == []
