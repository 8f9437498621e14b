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


def incidents_url(query_dict, **replaced) -> str:
    """The incident list with the current filters (those it knows), the
    parameters `replaced` set in place of theirs."""
    params = query_dict.copy()
    for name in ("sort", "incident"):
        params.pop(name, None)
    for name, value in replaced.items():
        params.setlist(name, [value])
    query = export_querystring(params)
    return reverse("incidents:list") + ("?" + query if query else "")


def map_json(outcome, query_dict) -> dict:
    return {
        "testimonies": outcome.testimonies,
        "without_place": outcome.without_place,
        "incidents": outcome.incidents,
        "incidents_without_place": outcome.incidents_without_place,
        "levels": {
            level: [
                {
                    "slug": point.place.slug,
                    "name": point.place.label,
                    "kind": point.place.kind,
                    "count": point.count,
                    "incidents": point.incidents,
                    "latitude": point.latitude,
                    "longitude": point.longitude,
                    "governorate_code": point.governorate_code,
                    "at_level": point.at_level,
                    "search_url": search_url(query_dict, place=point.place.slug),
                    "incidents_url": incidents_url(query_dict, place=point.place.slug),
                }
                for point in points
            ]
            for level, points in outcome.levels.items()
        },
    }


def _series_json(series, months) -> dict:
    return {
        "months": [
            {
                "month": month,
                "count": series.totals[month],
                "by_event_type": series.by_month[month],
            }
            for month in months
            if month in series.totals
        ],
        "spans": [
            {
                "first": span.first,
                "last": span.last,
                "count": span.count,
                "by_event_type": span.by_event_type,
            }
            for span in series.spans
        ],
    }


def timeline_json(outcome, query_dict) -> dict:
    testimonies, incidents = outcome.testimonies, outcome.incidents
    return {
        "testimonies": testimonies.count,
        "undated": testimonies.undated,
        "outside": testimonies.outside,
        "first_month": outcome.months[0],
        "last_month": outcome.months[-1],
        "event_types": [{"slug": e.slug, "name": e.label} for e in outcome.event_types],
        **_series_json(testimonies, outcome.months),
        "incidents": {
            "count": incidents.count,
            "undated": incidents.undated,
            "outside": incidents.outside,
            **_series_json(incidents, outcome.months),
        },
        "search_url": search_url(query_dict),
        "incidents_url": incidents_url(query_dict),
    }


def _bounds(first: str, last: str) -> tuple[datetime.date, datetime.date]:
    """The first day of month `first` and the last of month `last`."""
    year, month = map(int, last.split("-"))
    start = datetime.date.fromisoformat(f"{first}-01")
    return start, datetime.date(year, month, calendar.monthrange(year, month)[1])


def _month_label(month: str) -> str:
    return date_format(datetime.date.fromisoformat(f"{month}-01"), "YEAR_MONTH_FORMAT")


def _span_label(first: str, last: str) -> str:
    if first[:4] == last[:4] and first.endswith("-01") and last.endswith("-12"):
        return _("%(year)s (the year only)") % {"year": first[:4]}
    return _("%(first)s – %(last)s (over several months)") % {
        "first": _month_label(first),
        "last": _month_label(last),
    }


def timeline_columns(outcome) -> list[str]:
    """The event type slugs of the timeline's table, in the vocabulary's
    order, then "" (no event type) when testimonies without one are counted."""
    series = outcome.testimonies
    untyped = any("" in counts for counts in series.by_month.values()) or any(
        "" in span.by_event_type for span in series.spans
    )
    return [e.slug for e in outcome.event_types] + ([""] if untyped else [])


def timeline_rows(outcome, query_dict) -> list[dict]:
    """The timeline's table: a row per month with testimonies or incidents
    and per band (dates known over several months), in order, each with its
    testimonies per event type (timeline_columns), its testimonies and its
    incidents, and links to the search and the incident list of its dates."""
    columns = timeline_columns(outcome)
    testimonies, incidents = outcome.testimonies, outcome.incidents
    keys = {(m, m) for m in testimonies.totals} | {(m, m) for m in incidents.totals}
    t_spans = {(span.first, span.last): span for span in testimonies.spans}
    i_spans = {(span.first, span.last): span for span in incidents.spans}
    rows = []
    for first, last in sorted(keys | set(t_spans) | set(i_spans)):
        start, end = _bounds(first, last)
        dates = {"date_from": start.isoformat(), "date_to": end.isoformat()}
        if first == last:
            by_type = testimonies.by_month.get(first, {})
            count = testimonies.totals.get(first, 0)
            incident_count = incidents.totals.get(first, 0)
            label = _month_label(first)
        else:
            span = t_spans.get((first, last))
            by_type = span.by_event_type if span else {}
            count = span.count if span else 0
            incident_count = (
                i_spans[(first, last)].count if (first, last) in i_spans else 0
            )
            label = _span_label(first, last)
        rows.append(
            {
                "key": first if first == last else f"{first}/{last}",
                "label": label,
                "counts": [by_type.get(slug, 0) for slug in columns],
                "count": count,
                "incidents": incident_count,
                "search_url": search_url(query_dict, **dates),
                "incidents_url": incidents_url(query_dict, **dates),
            }
        )
    return rows
