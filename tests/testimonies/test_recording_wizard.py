"""The recording wizard's finer points: hints, the photos step, refused
uploads, the review's redacted text, a witness who gives no name."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests import factories

pytestmark = pytest.mark.django_db


def step_url(testimony, step):
    return reverse(
        "testimonies:record-step",
        kwargs={"public_id": testimony.public_id, "step": step},
    )


@pytest.fixture
def draft(documenter):
    return factories.testimony(status="draft", recorded_by=documenter, consent={})


def inputs(page: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_empty_date_fields_show_the_shape_of_a_date_not_a_date(
    client_for, documenter, draft, language
):
    client = client_for(documenter)
    page = client.get(
        step_url(draft, "when-where"), headers={"accept-language": language}
    ).content.decode()
    with translation.override(language):
        hint = translation.gettext("YYYY-MM-DD")
    for name in ("incident_start", "incident_end"):
        field = inputs(page, name)
        assert f'placeholder="{hint}"' in field
        # No digits in the hint: it cannot pass for a date typed in.
        placeholder = re.search(r'placeholder="([^"]*)"', field).group(1)
        assert not re.search(r"[0-9٠-٩]", placeholder)
