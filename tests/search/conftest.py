import datetime

import pytest

from tests import factories


@pytest.fixture
def coast():
    """A small gazetteer: Syria > two governorates > towns > a neighbourhood."""
    sy = factories.place("sy", "Syria", kind="country", name_ar="سوريا")
    tartus_gov = factories.place(
        "tartus-governorate", "Tartus Governorate", parent=sy, kind="governorate",
        name_ar="محافظة طرطوس",
    )  # fmt: skip
    latakia_gov = factories.place(
        "latakia-governorate", "Latakia Governorate", parent=sy, kind="governorate"
    )
    banias = factories.place(
        "banias", "Banias", parent=tartus_gov, name_ar="بانياس", variants=["Baniyas"]
    )
    kusour = factories.place(
        "hai-al-kusour", "Hai Al Kusour", parent=banias, kind="neighbourhood",
        name_ar="حي القصور",
    )  # fmt: skip
    tartus = factories.place("tartus", "Tartus", parent=tartus_gov, name_ar="طرطوس")
    jableh = factories.place("jableh", "Jableh", parent=latakia_gov, name_ar="جبلة")
    return {
        "sy": sy, "tartus-governorate": tartus_gov, "latakia-governorate": latakia_gov,
        "banias": banias, "hai-al-kusour": kusour, "tartus": tartus, "jableh": jableh,
    }  # fmt: skip


def day(text):
    return datetime.date.fromisoformat(text)


@pytest.fixture
def archive(coast, documenter):
    """Testimonies across places, dates and consent, named for the tests."""
    T = factories.testimony
    return {
        "kusour": T(
            witness_name="Ayman Fares",
            narrative="I am Ayman Fares. Gunmen robbed me in Hai Al Kusour, Banias.",
            places=[coast["hai-al-kusour"]],
            event_types=("killing", "looting"),
            incident=(day("2025-03-07"), day("2025-03-08")),
        ),
        "banias": T(
            witness_name="Ali Haidar",
            narrative="Sunni neighbours hid Ali and led him out of Banias.",
            places=[coast["banias"]],
            communities=("alawite", "sunni"),
            event_types=("killing",),
            incident=(day("2025-03-08"), day("2025-03-09")),
        ),
        "jableh": T(
            narrative="في جبلة سمعنا إطلاق النار طوال الليل.",
            language="ar",
            places=[coast["jableh"]],
            event_types=("threat",),
            incident=(day("2025-03-01"), day("2025-03-31")),
            precision="month",
        ),
        "tartus-2013": T(
            narrative="My brother was detained at a checkpoint in Tartus in 2013.",
            places=[coast["tartus"]],
            communities=("sunni",),
            event_types=("arbitrary-detention",),
            incident=(day("2013-01-01"), day("2013-12-31")),
            precision="year",
        ),
        "researchers-only": T(
            narrative="Banias researchers-only account of looting.",
            places=[coast["banias"]],
            event_types=("looting",),
            consent={"archive": True, "researchers": True},
        ),
        "embargoed": T(
            narrative="Banias embargoed account.",
            places=[coast["banias"]],
            consent={
                "archive": True,
                "researchers": True,
                "public": True,
                "embargo_until": day("2099-01-01"),
            },  # fmt: skip
        ),
        "submitted-own": T(
            narrative="Banias account still under review.",
            places=[coast["banias"]],
            status="submitted",
            recorded_by=documenter,
        ),
    }
