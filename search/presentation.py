"""Turning a search outcome into what the HTML page lists: facet groups
with their ticked values, and page links that keep the other parameters."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from archive.templatetags.localised import number
from search.exports import QUERY_PARAMETERS
from search.selectors import facet_value_labels

FACET_LABELS = {
    "place": _("Place"),
    "community": _("Community"),
    "event_type": _("Event type"),
    "incident": _("Incident"),
}


def facet_groups(outcome, cleaned: dict) -> list[dict]:
    groups = []
    for name, label in FACET_LABELS.items():
        chosen = set(cleaned.get(name) or [])
        entries = [
            {**entry, "checked": entry["slug"] in chosen}
            for entry in (outcome.facets.get(name, []) if outcome else [])
        ]
        shown = {entry["slug"] for entry in entries}
        # A ticked value no result has (the other filters leave none) must
        # stay visible to be unticked: by its label, without a count.
        labels = facet_value_labels(name, sorted(chosen - shown))
        entries += [
            {"slug": slug, "name": labels.get(slug, slug), "count": 0, "checked": True}
            for slug in sorted(chosen - shown)
        ]
        if name == "place":
            entries = _as_tree(entries)
        groups.append(
            {
                "name": name,
                "label": label,
                "entries": entries,
                "entries_html": facet_entries_html(name, entries),
            }
        )
    return groups


_CHECKED = mark_safe(" checked")  # noqa: S308 - a constant attribute


def facet_entries_html(name: str, entries: list[dict]):
    """The checkboxes of one facet's values, as the filter panels list them
    (the search and incidents pages): each value's name, its count, and its
    depth in the place tree. Built in one pass (every value escaped by
    format_html): as template nodes, the few hundred places a common word's
    results list took most of the search page's rendering time."""
    counts: dict = {}

    def count_text(count):
        if count not in counts:
            counts[count] = format_html(' <span class="count">{}</span>', number(count))
        return counts[count]

    return format_html_join(
        "\n",
        '<label{}><input type="checkbox" name="{}" value="{}"{}>'
        " <bdi>{}</bdi>{}</label>",
        (
            (
                format_html(' class="depth-{}"', entry["depth"])
                if entry.get("depth")
                else "",
                name,
                entry["slug"],
                _CHECKED if entry["checked"] else "",
                entry["name"],
                count_text(entry["count"]) if entry["count"] else "",
            )
            for entry in entries
        ),
    )


def filters_applied(groups: list[dict], cleaned: dict) -> int:
    """How many filters narrow the results (ticked values and date bounds):
    the closed filter panel of a phone says so, so that nobody takes a
    narrowed list for the whole archive."""
    ticked = sum(entry["checked"] for group in groups for entry in group["entries"])
    return ticked + bool(cleaned.get("date_from")) + bool(cleaned.get("date_to"))


def _as_tree(entries: list[dict]) -> list[dict]:
    """Places in gazetteer order, each under its parent with its depth, so a
    governorate reads as the sum of the towns listed under it."""
    listed = {entry["slug"] for entry in entries}
    children: dict = {}
    for entry in entries:
        parent = entry.get("parent")
        children.setdefault(parent if parent in listed else None, []).append(entry)
    ordered = []

    def walk(parent, depth):
        for entry in sorted(children.get(parent, []), key=lambda e: e["name"]):
            ordered.append({**entry, "depth": min(depth, 5)})
            walk(entry["slug"], depth + 1)

    walk(None, 0)
    return ordered


def page_url(query_dict, page: int) -> str:
    params = query_dict.copy()
    params["page"] = str(page)
    return "?" + params.urlencode()


def year_url(query_dict, year: str) -> str:
    params = query_dict.copy()
    params["date_from"], params["date_to"] = f"{year}-01-01", f"{year}-12-31"
    params.pop("page", None)
    return "?" + params.urlencode()


def export_querystring(query_dict) -> str:
    """The search's filters for the export links: the whole result, so no
    page, and nothing the search does not know."""
    params = query_dict.copy()
    for name in list(params):
        if name not in QUERY_PARAMETERS:
            del params[name]
    return params.urlencode()


def place_suggestions(query_dict, outcome) -> list[dict]:
    """ "Did you mean the place ...?" links: the search with the place's words
    taken out of the query and the place ticked as a filter."""
    if not outcome or not outcome.places_matched:
        return []
    chosen = set(query_dict.getlist("place"))
    links = []
    for match in outcome.places_matched:
        for place in match.offered:
            if place.slug in chosen:
                continue
            params = query_dict.copy()
            params["q"] = outcome.rest_query
            params.appendlist("place", place.slug)
            params.pop("page", None)
            governorate = match.governorates.get(place.slug)
            links.append(
                {
                    "name": place.label,
                    "governorate": governorate.label if governorate else "",
                    "url": "?" + params.urlencode(),
                }
            )
    return links


def suggestion_url(query_dict, suggestion: str) -> str:
    params = query_dict.copy()
    params["q"] = suggestion
    params.pop("page", None)
    return "?" + params.urlencode()
