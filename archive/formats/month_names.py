"""The month names a date is written with, and the reader's choice of them.

Django formats a date's month ("F", "E", "N", "b" in a date format) through
its own messages (django.utils.dates), and its Arabic catalogue gives the
Egyptian names (يناير، فبراير...). The people in these testimonies, and the
testimonies themselves, use the Syrian ones (كانون الثاني، شباط...). A
catalogue listed in LOCALE_PATHS takes precedence over Django's, so the
Arabic names in locale/ar/LC_MESSAGES/django.po for these same messages are
the ones every page shows by default; the tuples below name the messages,
with Django's contexts, so that makemessages keeps them in our catalogue.

An account may choose the Egyptian names on its settings page. This module
is the one place that decides: `month_names_chosen()` puts them in place,
for each request by archive.time_zones.ReadingPreferencesMiddleware (with
the account's choice) and by work done outside a request itself, and
`month_names()` gives the twelve names in force to the scripts that write
months themselves (the timeline).
tests/archive/test_syrian_arabic.py and tests/archive/test_month_names_setting.py
check every month on real pages.
"""

import datetime
import gettext as gettext_module
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import formats, translation
from django.utils.translation import gettext_noop, pgettext_lazy, trans_real

from archive.models import MonthNames

# "F": the month's full name.
MONTHS = (
    gettext_noop("January"), gettext_noop("February"), gettext_noop("March"),
    gettext_noop("April"), gettext_noop("May"), gettext_noop("June"),
    gettext_noop("July"), gettext_noop("August"), gettext_noop("September"),
    gettext_noop("October"), gettext_noop("November"), gettext_noop("December"),
)  # fmt: skip

# "b" and "M": three letters in English; the full name in Arabic.
MONTHS_3 = (
    gettext_noop("jan"), gettext_noop("feb"), gettext_noop("mar"),
    gettext_noop("apr"), gettext_noop("may"), gettext_noop("jun"),
    gettext_noop("jul"), gettext_noop("aug"), gettext_noop("sep"),
    gettext_noop("oct"), gettext_noop("nov"), gettext_noop("dec"),
)  # fmt: skip

# "N": Associated Press abbreviations.
MONTHS_AP = (
    pgettext_lazy("abbrev. month", "Jan."), pgettext_lazy("abbrev. month", "Feb."),
    pgettext_lazy("abbrev. month", "March"), pgettext_lazy("abbrev. month", "April"),
    pgettext_lazy("abbrev. month", "May"), pgettext_lazy("abbrev. month", "June"),
    pgettext_lazy("abbrev. month", "July"), pgettext_lazy("abbrev. month", "Aug."),
    pgettext_lazy("abbrev. month", "Sept."), pgettext_lazy("abbrev. month", "Oct."),
    pgettext_lazy("abbrev. month", "Nov."), pgettext_lazy("abbrev. month", "Dec."),
)  # fmt: skip

# "E": the form a month takes inside a long date, in languages that decline it.
MONTHS_ALT = (
    pgettext_lazy("alt. month", "January"), pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"), pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"), pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"), pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"), pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"), pgettext_lazy("alt. month", "December"),
)  # fmt: skip

# The Egyptian names, given by our Arabic catalogue under their own context
# (in English they are the English names: the choice changes nothing there).
EGYPTIAN_MONTHS = (
    pgettext_lazy("Egyptian month", "January"),
    pgettext_lazy("Egyptian month", "February"),
    pgettext_lazy("Egyptian month", "March"),
    pgettext_lazy("Egyptian month", "April"),
    pgettext_lazy("Egyptian month", "May"),
    pgettext_lazy("Egyptian month", "June"),
    pgettext_lazy("Egyptian month", "July"),
    pgettext_lazy("Egyptian month", "August"),
    pgettext_lazy("Egyptian month", "September"),
    pgettext_lazy("Egyptian month", "October"),
    pgettext_lazy("Egyptian month", "November"),
    pgettext_lazy("Egyptian month", "December"),
)

# Languages whose catalogue gives both sets of names.
LANGUAGES_WITH_MONTH_CHOICE = ("ar",)


def _message_keys() -> list[tuple[str, ...]]:
    """The catalogue keys of each month's messages (Django's gettext looks a
    message in context up as "context\\x04message")."""
    with translation.override(None):  # the messages themselves, untranslated
        return [
            (
                full,
                short,
                f"abbrev. month\x04{ap}",
                f"alt. month\x04{alt}",
            )
            for full, short, ap, alt in zip(
                MONTHS, MONTHS_3, map(str, MONTHS_AP), map(str, MONTHS_ALT), strict=True
            )
        ]


# The month names of the current request (or mail): the account's choice.
# A context variable rather than the active translation alone, so that a
# `translation.override()` inside the request (the consent sentences are
# written in both languages, for one) comes back to the same names.
_chosen: ContextVar[str] = ContextVar("month_names", default=MonthNames.SYRIAN)


class _WithMonthChoice(gettext_module.NullTranslations):
    """A language's own translation, with the Egyptian month names in place
    of the Syrian ones while they are the chosen names."""

    def __init__(self, base):
        super().__init__()
        self.add_fallback(base)
        self._egyptian = {}
        for keys in _message_keys():
            # The Egyptian messages have the English names as their ids.
            name = base.gettext(f"Egyptian month\x04{keys[0]}")
            if "\x04" not in name:  # translated
                self._egyptian.update(dict.fromkeys(keys, name))

    def gettext(self, message):
        if _chosen.get() == MonthNames.EGYPTIAN and message in self._egyptian:
            return self._egyptian[message]
        return self._fallback.gettext(message)

    def language(self):
        return self._fallback.language()

    def to_language(self):
        return self._fallback.to_language()


def _month_choice_installed() -> None:
    """Make the translation Django activates for each language with a choice
    the one that follows it. Django builds a translation once per language
    and keeps it (it starts again after a change of settings, in tests):
    checked on every request, and done once."""
    for language in LANGUAGES_WITH_MONTH_CHOICE:
        current = trans_real.translation(language)
        if not isinstance(current, _WithMonthChoice):
            trans_real._translations[language] = _WithMonthChoice(current)
    active = translation.get_language()
    if active in LANGUAGES_WITH_MONTH_CHOICE:
        translation.activate(active)


@contextmanager
def month_names_chosen(choice: str):
    """Write months with `choice` (MonthNames) within the block: for a
    request, a mail or an export made for an account."""
    _month_choice_installed()
    token = _chosen.set(choice)
    try:
        yield
    finally:
        _chosen.reset(token)


def month_names() -> list[str]:
    """The twelve month names in force (language and choice), January
    first, for the scripts that write months themselves."""
    return [
        formats.date_format(datetime.date(2000, month, 1), "F")
        for month in range(1, 13)
    ]
