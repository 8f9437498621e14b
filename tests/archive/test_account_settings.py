"""An account's settings page: each account chooses the time zone its pages
show times in (Asia/Damascus until it does); the archive's own day stays
UTC's."""

import datetime
import re
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from archive.models import AccountSettings
from testimonies import policy
from testimonies.core.citation import testimony_citation
from tests import factories

pytestmark = pytest.mark.django_db
SETTINGS = reverse("account-settings")
TEN_UTC = datetime.datetime(2026, 1, 1, 10, 0, tzinfo=datetime.UTC)


def last_login_shown(page: str, username: str) -> str:
    row = re.search(rf'<tr data-username="{username}">.*?</tr>', page, re.DOTALL)
    return re.search(r'<time datetime="([^"]+)"', row.group(0)).group(1)


def test_anonymous_visitors_are_sent_to_log_in():
    response = Client().get(SETTINGS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["researcher", "documenter", "moderator"])
def test_every_role_has_its_own_settings_page(users, client_for, role):
    response = client_for(users[role]).get(SETTINGS)
    assert response.status_code == 200
    assert "archive/account_settings.html" in [t.name for t in response.templates]
    assert 'value="Asia/Damascus" selected' in response.content.decode()


def test_a_moderator_before_the_second_factor_may_set_their_own(client_for, moderator):
    client = client_for(moderator, verified=False)
    response = client.post(SETTINGS, {"time_zone": "Europe/Berlin"})
    assert response.status_code == 302
    assert AccountSettings.objects.get(user=moderator).time_zone == "Europe/Berlin"


def test_times_show_in_damascus_until_the_account_chooses_another(
    verified_client_for, moderator, researcher
):
    researcher.last_login = TEN_UTC
    researcher.save()
    client = verified_client_for(moderator)
    page = client.get(reverse("roles")).content.decode()
    assert last_login_shown(page, "researcher") == "2026-01-01T13:00:00+03:00"
    saved = client.post(SETTINGS, {"time_zone": "Europe/London"}, follow=True)
    assert [str(m) for m in saved.context["messages"]] == ["Your settings are saved."]
    page = client.get(reverse("roles")).content.decode()
    assert last_login_shown(page, "researcher") == "2026-01-01T10:00:00+00:00"
    # Each account its own: the researcher still reads Damascus time.
    assert AccountSettings.objects.filter(user=researcher).count() == 0


def test_an_unknown_time_zone_is_refused(client_for, documenter):
    response = client_for(documenter).post(SETTINGS, {"time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert "Mars/Olympus" not in response.content.decode().split("<form")[0]
    assert response.context["form"].errors["time_zone"]
    assert not AccountSettings.objects.exists()


def test_the_page_speaks_arabic(client_for, documenter):
    page = client_for(documenter).get("/ar" + SETTINGS).content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "Your settings" not in page and "Time zone" not in page


def test_the_archives_day_for_embargoes_does_not_follow_the_reader():
    # At 11:00 UTC on 1 January it is already 2 January in Kiribati.
    now = datetime.datetime(2026, 1, 1, 11, 0, tzinfo=datetime.UTC)
    with timezone.override(zoneinfo.ZoneInfo("Pacific/Kiritimati")):
        assert timezone.localdate(now) == datetime.date(2026, 1, 2)
        assert policy.today() == timezone.localdate(timezone=zoneinfo.ZoneInfo("UTC"))


def test_a_citation_reads_the_same_in_every_time_zone(documenter):
    testimony = factories.testimony(status="draft", recorded_by=documenter)
    late = datetime.datetime(2026, 1, 1, 22, 30, tzinfo=datetime.UTC)
    type(testimony).objects.filter(pk=testimony.pk).update(updated_at=late)
    testimony.refresh_from_db()
    cited = []
    for zone in ("UTC", "Asia/Damascus", "Pacific/Kiritimati"):
        with timezone.override(zoneinfo.ZoneInfo(zone)):
            cited.append(
                testimony_citation(
                    testimony=testimony,
                    url="https://archive.example/t/",
                    accessed_on=datetime.date(2026, 1, 2),
                )
            )
    assert len(set(cited)) == 1
    assert "version of 1 January 2026" in cited[0]
