"""A redacted text shows each placeholder in one unbreakable span, and only
the page changes: the stored text keeps its plain brackets."""

import pytest
from django.utils.safestring import mark_safe

from testimonies.templatetags.redaction_tags import placeholders_whole
from tests import factories

pytestmark = pytest.mark.django_db

NARRATIVE = "رأيت نور صالح عند الحاجز، ثم أخذوا نور صالح <b>بعيدًا</b>."


def test_the_public_page_wraps_each_placeholder_and_keeps_the_stored_text(client):
    testimony = factories.testimony(
        narrative=NARRATIVE, language="ar", persons_named=["نور صالح"]
    )
    page = client.get(testimony.get_absolute_url()).content.decode()
    assert page.count('<span class="placeholder">[شخص 1]</span>') == 2
    assert "نور صالح" not in page
    # The text's own markup stays text.
    assert "&lt;b&gt;بعيدًا&lt;/b&gt;" in page and "<b>بعيدًا" not in page
    testimony.refresh_from_db()
    assert testimony.narrative == NARRATIVE


def test_an_excerpts_marks_are_kept_and_its_placeholders_wrapped():
    excerpt = mark_safe("أخذوا <mark>[شخص 2]</mark> و[شخص 3] إلى <mark>بانياس</mark>")
    assert str(placeholders_whole(excerpt)) == (
        'أخذوا <mark><span class="placeholder">[شخص 2]</span></mark>'
        ' و<span class="placeholder">[شخص 3]</span> إلى <mark>بانياس</mark>'
    )


def test_plain_text_is_escaped_and_a_bracket_across_lines_is_left_alone():
    shown = str(placeholders_whole("<i>[a\nb]</i> [person 1]"))
    assert (
        shown == '&lt;i&gt;[a\nb]&lt;/i&gt; <span class="placeholder">[person 1]</span>'
    )
