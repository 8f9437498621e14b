"""Dates and numbers as the active language writes them.

Every template shows an incident's dates through `incident_dates` and every
count or page number through `number`, so that both follow the archive's
formats for the language (archive/formats/<language>/formats.py).
"""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def incident_dates(dates) -> str:
    """An incident's dates (testimonies.models.IncidentDates) no more precise
    than they are known: a day, a month or a year, or a range of them."""
    return dates.label if dates else ""


@register.filter
def number(value) -> str:
    """A count with the language's digit grouping ("12,345"). Not for
    identifiers or years, which are never grouped."""
    if value in (None, ""):
        return ""
    return number_format(value, force_grouping=True)
