"""How a testimony or an incident is cited: one line, the same on its page, in print and
in every export, so that a report, a court filing and a spreadsheet point
to the same thing.

"Testimony 3nzkb3b32fe5p, Eyewitness testimony archive, recorded 1 April
2025, version of 3 May 2025, https://.../testimonies/3nzkb3b32fe5p/,
accessed 5 December 2026". The public id, never the witness's pseudonym
alone: a witness may give several accounts. Dates in the reader's language;
the version date is when the record last changed, so that a reader can tell
that what they cite may since have been corrected or narrowed.
"""

import datetime

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _


def _day(value: datetime.date) -> str:
    return formats.date_format(value, "j F Y")


def testimony_citation(*, testimony, url: str, accessed_on: datetime.date) -> str:
    """The citation of `testimony` at `url`, read on `accessed_on`, in the
    active language."""
    return _(
        "Testimony %(id)s, %(archive)s, recorded %(recorded)s, version of "
        "%(version)s, %(url)s, accessed %(accessed)s"
    ) % {
        "id": testimony.public_id,
        "archive": settings.ARCHIVE_NAME,
        "recorded": _day(testimony.recorded_on),
        "version": _version_day(testimony.updated_at),
        "url": url,
        "accessed": _day(accessed_on),
    }


def incident_citation(*, incident, url: str, accessed_on: datetime.date) -> str:
    """The citation of `incident` at `url`, read on `accessed_on`, in the
    active language: its public id and title in that language, the archive,
    the version date (an incident's testimonies, places and dates may be
    corrected, merged or split later)."""
    return _(
        "Incident %(id)s, “%(title)s”, %(archive)s, version of %(version)s, "
        "%(url)s, accessed %(accessed)s"
    ) % {
        "id": incident.public_id,
        "title": incident.label,
        "archive": settings.ARCHIVE_NAME,
        "version": _version_day(incident.updated_at),
        "url": url,
        "accessed": _day(accessed_on),
    }


def _version_day(updated_at: datetime.datetime) -> str:
    # The archive's day (as `accessed_on`, policy.today), not the reader's:
    # a citation reads the same wherever it is copied from.
    return _day(timezone.localtime(updated_at, timezone.get_default_timezone()).date())
