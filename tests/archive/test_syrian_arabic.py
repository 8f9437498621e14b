"""Arabic as the people in these testimonies speak it: Syrian month names
wherever a date is shown, the Syrian word for a community, the witness's
community named in Arabic, the consent sentences Arabic first, languages
named in words and audit details in the reader's language."""

import datetime
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import formats, translation

from archive.audit import audit_record
from archive.audit_actions import AuditAction as AccountAction
from archive.models import AuditEntry
from testimonies.audit_actions import AuditAction
from tests import factories

pytestmark = pytest.mark.django_db

SYRIAN_MONTHS = [
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب",
    "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
]  # fmt: skip
EGYPTIAN_MONTHS = re.compile(
    "يناير|فبراير|مارس|أبريل|إبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر"
)
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ar" / "LC_MESSAGES" / "django.mo"


def in_arabic(client, path):
    # The request leaves Arabic active in this thread: the test's own
    # reverse() and get_absolute_url() go on in English.
    with translation.override("en"):
        return client.get("/ar" + path).content.decode()


@pytest.mark.parametrize("month", range(1, 13))
@pytest.mark.parametrize("letter", ["F", "E", "N", "b", "M"])
def test_every_month_has_its_syrian_name_in_every_date_format(month, letter):
    day = datetime.date(2025, month, 1)
    with translation.override("ar"):
        assert formats.date_format(day, letter) == SYRIAN_MONTHS[month - 1]
    with translation.override("en"):
        assert formats.date_format(day, "F") == day.strftime("%B")


def test_a_testimony_page_dates_the_incident_with_syrian_months(client, archive):
    page = in_arabic(client, archive["kusour"].get_absolute_url())
    assert "7 آذار 2025 – 8 آذار 2025" in page
    assert not EGYPTIAN_MONTHS.search(page)
    english = client.get(archive["kusour"].get_absolute_url()).content.decode()
    assert "7 March 2025 – 8 March 2025" in english


def test_community_is_never_translated_as_society():
    with CATALOGUE.open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog
    by_msgid: dict[str, list[str]] = {}
    for key, text in catalogue.items():
        msgid = key[0] if isinstance(key, tuple) else key
        by_msgid.setdefault(msgid.split("\x04")[-1], []).append(text)
    for msgid, texts in by_msgid.items():
        assert not any("مجتمع" in text for text in texts), msgid
    about_communities = [m for m in by_msgid if re.search(r"communit", m, re.I)]
    assert len(about_communities) >= 5
    for msgid in about_communities:
        assert any("مكوّن" in text for text in by_msgid[msgid]), msgid


def test_the_witness_step_names_communities_in_the_interfaces_language(
    client_for, documenter
):
    from testimonies.models import Community

    draft = factories.testimony(status="draft", recorded_by=documenter, consent={})
    client = client_for(documenter)
    path = f"/testimonies/{draft.public_id}/record/witness/"
    page = in_arabic(client, path)
    options = re.findall(r'<option value="([a-z-]+)"[^>]*>([^<]+)</option>', page)
    names = dict(Community.objects.values_list("slug", "name_ar"))
    assert options and all(label == names[slug] for slug, label in options)
    english = client.get(path).content.decode()
    assert ">Alawite</option>" in english


def first_sentence_language(page: str) -> list[str]:
    """The language of the first sentence under each consent scope."""
    return re.findall(
        r'<div class="field scope[^"]*">\s*<label>.*?</label>\s*'
        r'<p class="help" lang="(\w+)"',
        page,
        re.DOTALL,
    )


def test_the_consent_page_shows_the_arabic_sentence_first_in_arabic(
    client_for, documenter
):
    draft = factories.testimony(status="draft", recorded_by=documenter, consent={})
    client = client_for(documenter)
    path = f"/testimonies/{draft.public_id}/consent/"
    arabic_page = in_arabic(client, path)
    assert set(first_sentence_language(arabic_page)) == {"ar"}
    # Read out in that order too, and the English one is still there.
    assert 'aria-describedby="id_archive_ar id_archive_en"' in arabic_page
    assert 'lang="en" dir="ltr" id="id_archive_en"' in arabic_page
    english_page = client.get(path).content.decode()
    assert set(first_sentence_language(english_page)) == {"en"}


def test_a_translation_is_headed_by_its_language_in_words(client, coast):
    testimony = factories.testimony(
        translations={"ar": "أخذوا جاري من شارعنا في بانياس."},
        places=[coast["banias"]],
    )
    english = client.get(testimony.get_absolute_url()).content.decode()
    assert "<h2>Translation (Arabic)</h2>" in english
    arabic = in_arabic(client, testimony.get_absolute_url())
    assert "<h2>الترجمة العربية</h2>" in arabic
    assert "(ar)" not in arabic and "(ar)" not in english


def test_the_audit_log_shows_actions_and_details_in_the_readers_language(
    verified_client_for, moderator, documenter
):
    factories.testimony(consent={"archive": True, "researchers": True})
    audit_record(
        action=AccountAction.ROLE_CHANGED,
        target="someone",
        actor=moderator,
        detail="researcher -> moderator",
    )
    audit_record(
        action=AccountAction.ACCOUNT_LOCKED,
        target="someone",
        actor_label="axes",
        detail="after 5 failed logins",
    )
    audit_record(
        action=AuditAction.REDACTION_CHANGED,
        target="x",
        actor=documenter,
        detail="1 marked, 0 unmarked",
    )
    # Typed by a person: shown as written.
    audit_record(
        action=AuditAction.READ_IDENTITY,
        target="x",
        actor=moderator,
        detail="court request 12",
    )
    client = verified_client_for(moderator)
    page = in_arabic(client, "/audit/")
    assert "سجّل الموافقة" in page  # the action
    assert "الحفظ في الأرشيف، المشاركة مع الباحثين" in page
    assert "من باحث إلى مشرف" in page
    assert "بعد 5 محاولة دخول فاشلة" in page or "بعد 5 محاولات دخول فاشلة" in page
    assert "عُلّم: 1، أُلغي تعليمه: 0" in page
    assert "court request 12" in page
    assert "archive, researchers" not in page
    english = client.get("/audit/").content.decode()
    assert "Kept in the archive, Shared with researchers" in english
    assert "from Researcher to Moderator" in english
    # The chain keeps the details as written.
    assert AuditEntry.objects.filter(detail="researcher -> moderator").exists()
