"""Times shown in the reader's time zone.

The database, the logs and the audit chain keep UTC (settings.TIME_ZONE);
each request shows times in the account's chosen zone (its settings page),
or the archive's default, Asia/Damascus, for visitors and for accounts that
never chose one. Which day it is for the archive's rules (embargoes) does
not depend on the reader: testimonies.policy reads it in UTC.
"""

from zoneinfo import ZoneInfo, available_timezones

from django.utils import timezone

from archive.selectors import account_time_zone


def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone, by name (Region/City), for the settings page."""
    names = sorted(
        name
        for name in available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "posix/"))
    )
    return [(name, name.replace("_", " ")) for name in names]


class TimeZoneMiddleware:
    """Activate the reader's time zone for the request (after the
    authentication middleware, which gives request.user)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = account_time_zone(user=getattr(request, "user", None))
        timezone.activate(ZoneInfo(name))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
