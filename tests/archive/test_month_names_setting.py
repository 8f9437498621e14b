"""An account's choice of Arabic month names: the Syrian ones by default and
for visitors, the Egyptian ones for an account that chose them, wherever
that account reads a date in Arabic; English is the same either way."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import formats, timezone, translation

from archive.formats.month_names import month_names, month_names_chosen
from archive.models import AccountSettings, MonthNames
from tests import factories

pytestmark = pytest.mark.django_db

SETTINGS = "/accounts/settings/"
SYRIAN = [
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب",
    "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
]  # fmt: skip
EGYPTIAN = [
    "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس",
    "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
]  # fmt: skip
ANY_EGYPTIAN = re.compile("|".join(EGYPTIAN))
ANY_SYRIAN = re.compile("|".join(SYRIAN))


def choose(user, choice):
    AccountSettings.objects.update_or_create(
        user=user, defaults={"month_names": choice}
    )


@pytest.mark.parametrize("letter", ["F", "E", "N", "b", "M"])
def test_the_egyptian_choice_names_every_month_in_every_format(letter):
    with translation.override("ar"), month_names_chosen(MonthNames.EGYPTIAN):
        for month in range(1, 13):
            day = datetime.date(2025, month, 1)
            assert formats.date_format(day, letter) == EGYPTIAN[month - 1]
        assert month_names() == EGYPTIAN
        # A language overridden and back inside the block keeps the choice.
        with translation.override("en"):
            assert month_names()[0] == "January"
        with translation.override("ar"):
            assert month_names() == EGYPTIAN
        assert month_names() == EGYPTIAN
    with translation.override("ar"):
        assert month_names() == SYRIAN
        with month_names_chosen(MonthNames.SYRIAN):
            assert month_names() == SYRIAN
    with translation.override("en"), month_names_chosen(MonthNames.EGYPTIAN):
        assert month_names()[0] == "January"


def test_a_testimony_page_follows_the_accounts_choice(archive, researcher, client_for):
    path = archive["kusour"].get_absolute_url()
    client = client_for(researcher)
    syrian = client.get("/ar" + path).content.decode()
    assert "7 آذار 2025 – 8 آذار 2025" in syrian and not ANY_EGYPTIAN.search(syrian)
    choose(researcher, MonthNames.EGYPTIAN)
    egyptian = client.get("/ar" + path).content.decode()
    assert "7 مارس 2025 – 8 مارس 2025" in egyptian
    assert "آذار" not in egyptian
    english = client.get(path).content.decode()
    assert "7 March 2025 – 8 March 2025" in english
    # Visitors, and other accounts, keep the Syrian names.
    anonymous = Client().get("/ar" + path).content.decode()
    assert "7 آذار 2025" in anonymous and not ANY_EGYPTIAN.search(anonymous)


def test_the_timeline_gets_its_month_names_from_the_server(
    archive, moderator, client_for
):
    client = client_for(moderator)
    choose(moderator, MonthNames.EGYPTIAN)
    page = client.get("/ar/timeline/").content.decode()
    assert f'data-month-names="{"|".join(EGYPTIAN)}"' in page
    english = client.get("/timeline/").content.decode()
    assert 'data-month-names="January|February|March|' in english
    anonymous = Client().get("/ar/timeline/").content.decode()
    assert f'data-month-names="{"|".join(SYRIAN)}"' in anonymous


def test_the_review_queue_dates_follow_the_accounts_choice(
    moderator, documenter, client_for
):
    factories.testimony(status="submitted", recorded_by=documenter)
    month = timezone.localdate().month - 1
    client = client_for(moderator)
    syrian = client.get("/ar/moderation/").content.decode()
    assert SYRIAN[month] in syrian and EGYPTIAN[month] not in syrian
    choose(moderator, MonthNames.EGYPTIAN)
    egyptian = client.get("/ar/moderation/").content.decode()
    assert EGYPTIAN[month] in egyptian and SYRIAN[month] not in egyptian


@pytest.mark.parametrize("role", ["researcher", "documenter", "moderator"])
def test_every_role_chooses_its_month_names(users, client_for, role):
    client = client_for(users[role])
    page = client.get("/ar" + SETTINGS).content.decode()
    assert 'value="syrian"' in page and 'value="egyptian"' in page
    assert re.search(r'value="syrian"[^>]*checked', page)
    response = client.post(
        "/ar" + SETTINGS, {"time_zone": "Asia/Damascus", "month_names": "egyptian"}
    )
    assert response.status_code == 302 and response["Location"] == "/ar" + SETTINGS
    assert AccountSettings.objects.get(user=users[role]).month_names == "egyptian"
    page = client.get("/ar" + SETTINGS).content.decode()
    assert re.search(r'value="egyptian"[^>]*checked', page)


def test_a_moderator_before_the_second_factor_may_choose_too(client_for, moderator):
    client = client_for(moderator, verified=False)
    response = client.post(
        SETTINGS, {"time_zone": "Asia/Damascus", "month_names": "egyptian"}
    )
    assert response.status_code == 302
    assert AccountSettings.objects.get(user=moderator).month_names == "egyptian"


def test_visitors_cannot_choose_and_are_sent_to_log_in():
    response = Client().post(
        "/ar" + SETTINGS, {"time_zone": "Asia/Damascus", "month_names": "egyptian"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/ar/accounts/login/")
    assert not AccountSettings.objects.exists()


def test_an_unknown_choice_is_refused_and_nothing_changes(researcher, client_for):
    client = client_for(researcher)
    response = client.post(
        SETTINGS, {"time_zone": "Asia/Damascus", "month_names": "hijri"}
    )
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert not AccountSettings.objects.filter(user=researcher).exists()


def test_leaving_the_choice_out_keeps_it(researcher, client_for):
    choose(researcher, MonthNames.EGYPTIAN)
    client_for(researcher).post(SETTINGS, {"time_zone": "Europe/Berlin"})
    chosen = AccountSettings.objects.get(user=researcher)
    assert chosen.month_names == "egyptian" and chosen.time_zone == "Europe/Berlin"


def test_a_request_reads_the_accounts_preferences_once(archive, researcher, client_for):
    """The time zone and the month names come from one row: one query per
    signed-in request, not one per preference."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    choose(researcher, MonthNames.EGYPTIAN)
    client = client_for(researcher)
    url = "/ar" + archive["kusour"].get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url).content.decode()
    reads = [
        q["sql"]
        for q in captured.captured_queries
        if "archive_accountsettings" in q["sql"]
    ]
    assert len(reads) == 1, reads
    assert "7 مارس 2025" in page
