"""Times shown in the reader's time zone.

The database, the logs and the audit chain keep UTC (settings.TIME_ZONE);
each request shows times in the account's chosen zone (its settings page),
or the archive's default, Asia/Damascus, for visitors and for accounts that
never chose one. Which day it is for the archive's rules (embargoes) does
not depend on the reader: testimonies.policy reads it in UTC.

The account's other reading preference, the Arabic month names, is read
from the same row and put in force by the same middleware
(ReadingPreferencesMiddleware; the names themselves live in
archive.formats.month_names).
"""

from zoneinfo import ZoneInfo, available_timezones

from django.utils import timezone

from archive.formats.month_names import month_names_chosen
from archive.selectors import account_reading_preferences


def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone, by name (Region/City), for the settings page."""
    names = sorted(
        name
        for name in available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "posix/"))
    )
    return [(name, name.replace("_", " ")) for name in names]


class ReadingPreferencesMiddleware:
    """Put the reader's preferences in force for the request (after the
    language and authentication middleware, which give the language and
    request.user): times in the account's time zone, Arabic dates with its
    month names (archive.formats.month_names). One query for both."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        preferences = account_reading_preferences(user=getattr(request, "user", None))
        timezone.activate(ZoneInfo(preferences.time_zone))
        try:
            with month_names_chosen(preferences.month_names):
                return self.get_response(request)
        finally:
            timezone.deactivate()
