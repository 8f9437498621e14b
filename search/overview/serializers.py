"""The map's and the timeline's counts as JSON (docs/api.md, docs/maps.md):
one shape for the API and for the data the pages draw from."""

import calendar
import datetime

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from search.presentation import export_querystring


def search_url(query_dict, **replaced) -> str:
    """The search page with the current filters (no page), the parameters
    `replaced` set in place of theirs."""
    params = query_dict.copy()
    for name, value in replaced.items():
        params.setlist(name, [value])
    query = export_querystring(params)
    return reverse("search:page") + ("?" + query if query else "")


def map_json(outcome, query_dict) -> dict:
    return {
        "testimonies": outcome.testimonies,
        "without_place": outcome.without_place,
        "levels": {
            level: [
                {
                    "slug": point.place.slug,
                    "name": point.place.label,
                    "kind": point.place.kind,
                    "count": point.count,
                    "latitude": point.latitude,
                    "longitude": point.longitude,
                    "governorate_code": point.governorate_code,
                    "at_level": point.at_level,
                    "search_url": search_url(query_dict, place=point.place.slug),
                }
                for point in points
            ]
            for level, points in outcome.levels.items()
        },
    }


def timeline_json(outcome, query_dict) -> dict:
    return {
        "testimonies": outcome.testimonies,
        "undated": outcome.undated,
        "outside": outcome.outside,
        "first_month": outcome.months[0],
        "last_month": outcome.months[-1],
        "event_types": [{"slug": e.slug, "name": e.label} for e in outcome.event_types],
        "months": [
            {
                "month": month,
                "count": outcome.totals[month],
                "by_event_type": outcome.by_month[month],
            }
            for month in outcome.months
            if month in outcome.totals
        ],
        "spans": [
            {
                "first": span.first,
                "last": span.last,
                "count": span.count,
                "by_event_type": span.by_event_type,
            }
            for span in outcome.spans
        ],
        "search_url": search_url(query_dict),
    }


def _bounds(first: str, last: str) -> tuple[datetime.date, datetime.date]:
    """The first day of month `first` and the last of month `last`."""
    year, month = map(int, last.split("-"))
    start = datetime.date.fromisoformat(f"{first}-01")
    return start, datetime.date(year, month, calendar.monthrange(year, month)[1])


def _month_label(month: str) -> str:
    return date_format(datetime.date.fromisoformat(f"{month}-01"), "YEAR_MONTH_FORMAT")


def timeline_rows(outcome, query_dict) -> list[dict]:
    """The timeline's table: a row per month with testimonies and per band
    (dates known over several months), in order, each with its counts per
    event type (in outcome.event_types' order, then "no event type" when
    counted) and a link to the search of its dates."""
    slugs = [e.slug for e in outcome.event_types]
    untyped = any("" in counts for counts in outcome.by_month.values()) or any(
        "" in span.by_event_type for span in outcome.spans
    )
    columns = slugs + ([""] if untyped else [])
    rows = []
    for month in outcome.months:
        if month not in outcome.totals:
            continue
        start, end = _bounds(month, month)
        rows.append(
            {
                "key": month,
                "label": _month_label(month),
                "counts": [outcome.by_month[month].get(s, 0) for s in columns],
                "count": outcome.totals[month],
                "order": (month, 0),
                "search_url": search_url(
                    query_dict, date_from=start.isoformat(), date_to=end.isoformat()
                ),
            }
        )
    for span in outcome.spans:
        start, end = _bounds(span.first, span.last)
        whole_year = span.first.endswith("-01") and span.last.endswith("-12")
        if whole_year and span.first[:4] == span.last[:4]:
            label = _("%(year)s (the year only)") % {"year": span.first[:4]}
        else:
            label = _("%(first)s – %(last)s (over several months)") % {
                "first": _month_label(span.first),
                "last": _month_label(span.last),
            }
        rows.append(
            {
                "key": f"{span.first}/{span.last}",
                "label": label,
                "counts": [span.by_event_type.get(s, 0) for s in columns],
                "count": span.count,
                "order": (span.first, 1),
                "search_url": search_url(
                    query_dict, date_from=start.isoformat(), date_to=end.isoformat()
                ),
            }
        )
    return sorted(rows, key=lambda row: row["order"])
