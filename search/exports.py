"""Search results as files that leave the archive: CSV, JSON and XLSX.

An export holds the public id, pseudonym, dates, tags and the redacted texts
of each testimony, never an identity field and never an original text,
whoever asks: once downloaded it is out of the archive's hands. For the same
reason its places, dates and texts are no finer than the public view chosen
at approval (testimonies.redaction.generalisation): the governorate, district
and town columns are the places above the public-level place, and the only
coordinates are the public-level place's own.

Each file says what it is: the JSON in its header, the XLSX on an "About"
sheet, the CSV in a sidecar (export_metadata, after the W3C's CSV on the Web
convention of a `<file>-metadata.json` beside the file): the query and
filters, when, by which version of the archive, in which language, how many
rows. Labels are in the requester's language beside the stable slugs.

Its incidents are those whose link the exporter may be shown, no finer than
the testimony's public view (search.selectors.testimony_export): an
incident the exporter may not see never appears.
"""

import csv
import io
import json

from django.conf import settings
from django.utils.translation import get_language

from search.serializers import permitted_use_json
from testimonies.core.citation import testimony_citation
from testimonies.core.models import Language
from testimonies.incidents.models import LinkRole

# The search parameters an export is made of (page and page_size are not:
# an export is the whole result, not one page of it).
QUERY_PARAMETERS = (
    "q", "place", "community", "event_type", "incident", "date_from", "date_to",
    "sort",
)  # fmt: skip

# A cell starting with one of these is read as a formula by spreadsheets
# (CSV injection); a leading apostrophe makes it plain text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_COLUMNS = (
    "id", "url", "pseudonym", "language", "recorded_on",
    "incident_start", "incident_end", "incident_precision",
    "places", "place_names", "communities", "event_types", "narrative",
)  # fmt: skip
# After the texts (the columns before them keep their places): what the
# witness allowed, in words, as a code, and who may see the images.
PERMITTED_USE_COLUMNS = ("permitted_use", "permitted_use_code", "images_shown")
# The gazetteer's levels an export names for each public-level place.
PLACE_LEVELS = ("governorate", "district", "town")
# Added after those (again, earlier columns keep their places): labels in the
# requester's language beside the slugs, each place level's slug and names in
# both languages, the public-level place's names, kind and coordinates, and
# how to cite the testimony.
ANALYSIS_COLUMNS = (
    "community_names", "event_type_names",
    *(f"{level}{suffix}" for level in PLACE_LEVELS for suffix in ("", "_en", "_ar")),
    "place_en", "place_ar", "place_kind", "latitude", "longitude",
    "citation",
)  # fmt: skip
# Last (the columns before them keep their places): each incident's public
# id, its title in the requester's language and the link's role, one value
# an incident, in the same order in the three.
INCIDENT_COLUMNS = ("incidents", "incident_names", "incident_roles")
# Several values in one cell.
_LIST_SEPARATOR = "; "


def export_query(cleaned: dict) -> dict:
    """The search an export was made of, as JSON values (for the file and
    the audit log)."""
    query = {}
    for name in QUERY_PARAMETERS:
        value = cleaned.get(name)
        if value in (None, "", []):
            continue
        query[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return query


def export_filename(export_format: str, exported_on) -> str:
    return f"testimonies-{exported_on.isoformat()}.{export_format}"


def _level(place) -> dict | None:
    if place is None:
        return None
    return {
        "slug": place.slug,
        "name": place.label,
        "name_en": place.name,
        "name_ar": place.name_ar,
    }


def _place_record(place, levels: dict) -> dict:
    """A public-level place: its names, kind, coordinates (its own, never a
    finer place's), and the governorate, district and town it lies in."""
    return {
        "slug": place.slug,
        "name": place.label,
        "name_en": place.name,
        "name_ar": place.name_ar,
        "kind": place.kind,
        **{level: _level(levels.get(level)) for level in PLACE_LEVELS},
        "latitude": place.latitude,
        "longitude": place.longitude,
    }


def export_record(row, *, absolute_url, exported_on) -> dict:
    """One testimony as an export holds it: places, dates and texts as the
    public view has them (search.selectors.testimony_export)."""
    testimony = row.testimony
    incident = row.facts.incident
    url = absolute_url(testimony.get_absolute_url())
    return {
        "id": testimony.public_id,
        "url": url,
        "pseudonym": testimony.witness.pseudonym,
        "language": testimony.language,
        "recorded_on": testimony.recorded_on.isoformat(),
        "incident": {
            "start": incident.start and incident.start.isoformat(),
            "end": incident.end and incident.end.isoformat(),
            "precision": incident.precision,
        },
        "places": [
            _place_record(p, row.place_levels.get(p.slug, {})) for p in row.facts.places
        ],
        "communities": [c.slug for c in testimony.communities.all()],
        "community_names": [c.label for c in testimony.communities.all()],
        "event_types": [e.slug for e in testimony.event_types.all()],
        "event_type_names": [e.label for e in testimony.event_types.all()],
        "narrative": row.texts.narrative,
        "translations": dict(sorted(row.texts.translations.items())),
        "summary": row.texts.summary,
        # What the witness allowed: the file leaves the archive with it.
        "permitted_use": permitted_use_json(row.permitted_use),
        "citation": testimony_citation(
            testimony=testimony, url=url, accessed_on=exported_on
        ),
        "incidents": [
            {
                "id": link.incident.public_id,
                "url": absolute_url(link.incident.get_absolute_url()),
                "name": link.incident.label,
                "title_en": link.incident.title,
                "title_ar": link.incident.title_ar,
                "role": link.role,
                "role_name": str(LinkRole(link.role).label),
                "status": link.incident.status,
            }
            for link in row.incident_links
        ],
    }


def export_metadata(outcome, *, query, max_rows, exported_on) -> dict:
    """What an export is: the search it was made of, when, by which version
    of the archive, in which language, how many rows of how many."""
    return {
        "archive": {
            "name": settings.ARCHIVE_NAME,
            "version": settings.ARCHIVE_VERSION,
        },
        "exported_on": exported_on.isoformat(),
        "language": get_language() or settings.LANGUAGE_CODE,
        "query": query,
        "count": outcome.count,
        "exported": len(outcome.rows),
        "truncated": outcome.truncated,
        "max_rows": max_rows,
    }


def export_json(outcome, *, query, max_rows, exported_on, absolute_url) -> bytes:
    """The whole export as one UTF-8 JSON document, its metadata first."""
    document = {
        **export_metadata(
            outcome, query=query, max_rows=max_rows, exported_on=exported_on
        ),
        "results": [
            export_record(row, absolute_url=absolute_url, exported_on=exported_on)
            for row in outcome.rows
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def csv_header(languages: list[str]) -> list[str]:
    return [
        *CSV_COLUMNS,
        *(f"translation_{code}" for code in languages),
        "summary",
        *PERMITTED_USE_COLUMNS,
        *ANALYSIS_COLUMNS,
        *INCIDENT_COLUMNS,
    ]


def export_csv_metadata(outcome, *, query, max_rows, exported_on, csv_url) -> bytes:
    """The CSV's sidecar (`<file>-metadata.json`, as the W3C's CSV on the
    Web names it): the export's metadata and the file's columns."""
    languages = _translation_languages(
        [{"translations": row.texts.translations} for row in outcome.rows]
    )
    document = {
        "@context": "http://www.w3.org/ns/csvw",
        "url": csv_url,
        **export_metadata(
            outcome, query=query, max_rows=max_rows, exported_on=exported_on
        ),
        "tableSchema": {"columns": [{"name": name} for name in csv_header(languages)]},
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def spreadsheet_safe(value: str) -> str:
    """The cell as text a spreadsheet will not run as a formula."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _translation_languages(records) -> list[str]:
    """A column for every language the archive knows, in a fixed order so
    that files can be compared, then any other present in this export."""
    known = list(Language.values)
    present = {code for record in records for code in record["translations"]}
    return known + sorted(present - set(known))


def _permitted_use_cells(use: dict | None) -> list[str]:
    if use is None:
        return ["", "", ""]
    return [use["text"], use["code"], use["images"]]


def _joined(values) -> str:
    return _LIST_SEPARATOR.join("" if v is None else str(v) for v in values)


def _analysis_cells(record: dict) -> list[str]:
    """The ANALYSIS_COLUMNS of one record; one value a place, in the order
    of the `places` column."""
    places = record["places"]
    cells = [
        _joined(record["community_names"]),
        _joined(record["event_type_names"]),
    ]
    for level in PLACE_LEVELS:
        for key in ("slug", "name_en", "name_ar"):
            cells.append(_joined((p[level] or {}).get(key, "") for p in places))
    cells += [
        _joined(p["name_en"] for p in places),
        _joined(p["name_ar"] for p in places),
        _joined(p["kind"] for p in places),
        _joined(p["latitude"] for p in places),
        _joined(p["longitude"] for p in places),
        record["citation"],
    ]
    return cells


def _csv_rows(outcome, *, absolute_url, exported_on) -> list[list[str]]:
    """The header and one row a testimony, every cell formula-safe."""
    records = [
        export_record(row, absolute_url=absolute_url, exported_on=exported_on)
        for row in outcome.rows
    ]
    languages = _translation_languages(records)
    rows = [csv_header(languages)]
    for record in records:
        incident = record["incident"]
        cells = [
            record["id"],
            record["url"],
            record["pseudonym"],
            record["language"],
            record["recorded_on"],
            incident["start"] or "",
            incident["end"] or "",
            incident["precision"],
            _LIST_SEPARATOR.join(place["slug"] for place in record["places"]),
            _LIST_SEPARATOR.join(place["name"] for place in record["places"]),
            _LIST_SEPARATOR.join(record["communities"]),
            _LIST_SEPARATOR.join(record["event_types"]),
            record["narrative"],
            *(record["translations"].get(code, "") for code in languages),
            record["summary"],
            *_permitted_use_cells(record["permitted_use"]),
            *_analysis_cells(record),
            _joined(i["id"] for i in record["incidents"]),
            _joined(i["name"] for i in record["incidents"]),
            _joined(i["role_name"] for i in record["incidents"]),
        ]
        rows.append([spreadsheet_safe(cell) for cell in cells])
    return rows


def export_csv(outcome, *, absolute_url, exported_on) -> bytes:
    """The export as CSV: UTF-8 with a byte order mark (Excel reads Arabic
    correctly only then), one row a testimony, every cell formula-safe."""
    out = io.StringIO()
    csv.writer(out).writerows(
        _csv_rows(outcome, absolute_url=absolute_url, exported_on=exported_on)
    )
    return out.getvalue().encode("utf-8-sig")


def export_xlsx(outcome, *, query, max_rows, exported_on, absolute_url) -> bytes:
    """The export as an Excel workbook: the CSV's rows on a "Testimonies"
    sheet (cells as text, so that nothing is read as a formula or a date),
    the metadata on an "About" sheet."""
    # openpyxl is imported here, when a workbook is asked for: at the top it
    # cost every process of the archive (the web workers, each command) a
    # tenth of a second at start for a file few of them ever write.
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Testimonies")
    for row in _csv_rows(outcome, absolute_url=absolute_url, exported_on=exported_on):
        sheet.append(row)
    about = workbook.create_sheet("About")
    metadata = export_metadata(
        outcome, query=query, max_rows=max_rows, exported_on=exported_on
    )
    for key, value in metadata.items():
        if isinstance(value, dict | list):
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        about.append([key, spreadsheet_safe(str(value))])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
