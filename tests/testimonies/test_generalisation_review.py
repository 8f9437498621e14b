"""Before approving, the moderator sees what each public view would replace
in the text: the finer places and dates marked where they are written, and
what the public would read instead (English and Arabic)."""

import datetime

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(coast, documenter):
    testimony = factories.testimony(
        status="submitted",
        recorded_by=documenter,
        witness_name="Ayman Fares",
        narrative="On Friday 7 March 2025 Ayman Fares hid in Hai Al Kusour.",
        translations={"ar": "يوم الجمعة 7 آذار 2025 اختبأ أيمن في حي القصور."},
        places=[coast["hai-al-kusour"]],
        incident=(datetime.date(2025, 3, 7), datetime.date(2025, 3, 7)),
    )
    return testimony


def review(client, testimony):
    return client.get(reverse("moderation:review", args=[testimony.public_id]))


def test_each_view_shows_its_replacements_highlighted(submitted, moderator, client_for):
    response = review(client_for(moderator), submitted)
    assert response.status_code == 200
    previews = {view.key: view for view in response.context["page"].public_previews}
    assert set(previews) == {
        "recorded", "month", "place", "year", "place_month", "place_year",
    }  # fmt: skip
    assert previews["recorded"].replaced == 0
    # Place and date, in the narrative and the translation.
    assert previews["place_month"].replaced == 4
    body = response.content.decode()
    assert '<div class="public-view-preview" data-view="place_month">' in body
    assert (
        '<mark class="finer" title="[a neighbourhood of Banias]">'
        "<bdi>Hai Al Kusour</bdi></mark>"
    ) in body
    assert (
        '<mark class="generalised"><bdi>[a neighbourhood of Banias]</bdi></mark>'
        in body
    )
    assert '<mark class="generalised"><bdi>[حي في بانياس]</bdi></mark>' in body
    assert '<mark class="generalised"><bdi>[آذار 2025]</bdi></mark>' in body
    assert '<mark class="generalised"><bdi>[2025]</bdi></mark>' in body  # year views
    # Names are redacted in the preview of the public text as everywhere.
    (narrative,) = [
        text for text in previews["place_month"].texts if text.label == "Narrative"
    ]
    public = "".join(segment.text for segment in narrative.redacted)
    assert "Ayman" not in public
    assert public.endswith("hid in [a neighbourhood of Banias].")


def test_no_preview_for_a_testimony_the_public_will_not_see(
    coast, documenter, moderator, client_for
):
    testimony = factories.testimony(
        status="submitted",
        places=[coast["hai-al-kusour"]],
        consent={"archive": True, "researchers": True},
    )
    response = review(client_for(moderator), testimony)
    assert response.context["page"].public_previews == []
    assert "public-view-preview" not in response.content.decode()
