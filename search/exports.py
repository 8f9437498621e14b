"""Search results as files that leave the archive: CSV and JSON.

An export holds the public id, pseudonym, dates, tags and the redacted texts
of each testimony, never an identity field and never an original text,
whoever asks: once downloaded it is out of the archive's hands. For the same
reason its places, dates and texts are no finer than the public view chosen
at approval (testimonies.redaction.generalisation).
"""

import csv
import io
import json

from search.serializers import permitted_use_json
from testimonies.core.models import Language

# The search parameters an export is made of (page and page_size are not:
# an export is the whole result, not one page of it).
QUERY_PARAMETERS = (
    "q", "place", "community", "event_type", "date_from", "date_to", "sort",
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


def export_record(row, *, absolute_url) -> dict:
    """One testimony as an export holds it: places, dates and texts as the
    public view has them (search.selectors.testimony_export)."""
    testimony = row.testimony
    incident = row.facts.incident
    return {
        "id": testimony.public_id,
        "url": absolute_url(testimony.get_absolute_url()),
        "pseudonym": testimony.witness.pseudonym,
        "language": testimony.language,
        "recorded_on": testimony.recorded_on.isoformat(),
        "incident": {
            "start": incident.start and incident.start.isoformat(),
            "end": incident.end and incident.end.isoformat(),
            "precision": incident.precision,
        },
        "places": [{"slug": p.slug, "name": p.label} for p in row.facts.places],
        "communities": [c.slug for c in testimony.communities.all()],
        "event_types": [e.slug for e in testimony.event_types.all()],
        "narrative": row.texts.narrative,
        "translations": dict(sorted(row.texts.translations.items())),
        "summary": row.texts.summary,
        # What the witness allowed: the file leaves the archive with it.
        "permitted_use": permitted_use_json(row.permitted_use),
    }


def export_json(outcome, *, query, max_rows, exported_on, absolute_url) -> bytes:
    """The whole export as one UTF-8 JSON document."""
    document = {
        "count": outcome.count,
        "exported": len(outcome.rows),
        "truncated": outcome.truncated,
        "max_rows": max_rows,
        "exported_on": exported_on.isoformat(),
        "query": query,
        "results": [
            export_record(row, absolute_url=absolute_url) for row in outcome.rows
        ],
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


def export_csv(outcome, *, absolute_url) -> bytes:
    """The export as CSV: UTF-8 with a byte order mark (Excel reads Arabic
    correctly only then), one row a testimony, every cell formula-safe."""
    records = [export_record(row, absolute_url=absolute_url) for row in outcome.rows]
    languages = _translation_languages(records)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            *CSV_COLUMNS,
            *(f"translation_{code}" for code in languages),
            "summary",
            *PERMITTED_USE_COLUMNS,
        ]
    )
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
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return out.getvalue().encode("utf-8-sig")
