"""The month names Django writes in a date, kept in our own catalogue.

Django formats a date's month ("F", "E", "N", "b" in a date format) through
its own messages (django.utils.dates), and its Arabic catalogue gives the
Egyptian names (يناير، فبراير...). The people in these testimonies, and the
testimonies themselves, use the Syrian ones (كانون الثاني، شباط...). A
catalogue listed in LOCALE_PATHS takes precedence over Django's, so the
Arabic names in locale/ar/LC_MESSAGES/django.po for these same messages are
the ones every page shows. This module names the messages, with Django's
contexts, so that makemessages keeps them in our catalogue; nothing imports
it. tests/archive/test_month_names.py checks every month on a real page.
"""

from django.utils.translation import gettext_noop, pgettext_lazy

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
