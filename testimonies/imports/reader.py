"""Reading the import format (docs/import-format.md) into checked rows.

Every line is checked before anything is written; a file with any bad line
is refused whole. Error messages name the line and the field, never a
witness's identity (they reach terminals and logs).
"""

import datetime
import json
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from testimonies.consent.models.consent import WITHDRAWABLE, ConsentMethod, ImagesShown
from testimonies.core.models import (
    NARRATIVE_MAX_CHARS,
    SUMMARY_MAX_CHARS,
    TRANSLATION_MAX_CHARS,
    Language,
    person_spellings,
)
from testimonies.incidents.models import Incident, IncidentStatus, LinkRole
from testimonies.models import (
    Community,
    ConsentScope,
    EventType,
    Gender,
    IncidentPrecision,
    PlaceKind,
    TestimonyStatus,
)
from testimonies.places.gazetteer import PlaceLookupError, PlaceResolver

# What one line may be (docs/import-format.md, limits): its size in bytes as
# stored (UTF-8), and how deeply its JSON may nest (the format itself needs
# four levels: the line, consent, its withdrawal, the scopes withdrawn).
# A line is never read into memory beyond its limit.
LINE_MAX_BYTES = 2 * 1024 * 1024
NESTING_MAX = 8

TOP_LEVEL_FIELDS = {
    "external_id", "witness", "language", "narrative", "translations", "summary",
    "recorded_on", "recorded_by", "incident", "places", "communities",
    "event_types", "persons_named", "consent", "status", "incidents",
}  # fmt: skip
# An incident line ("kind": "incident") declares an incident that testimony
# lines after it name by its key.
INCIDENT_FIELDS = {
    "kind", "key", "title", "title_ar", "summary", "summary_ar", "dates",
    "places", "communities", "event_types", "status",
}  # fmt: skip
INCIDENT_KEY_MAX = 100
WITNESS_FIELDS = {
    "name", "name_variants", "contact", "birth_year", "gender", "community",
    "witness_key",
}  # fmt: skip
CONSENT_FIELDS = {
    *ConsentScope.values, "method", "obtained_by", "obtained_on", "embargo_until",
    "images", "withdrawal",
}  # fmt: skip
IMPORT_STATUSES = {
    TestimonyStatus.DRAFT,
    TestimonyStatus.SUBMITTED,
    TestimonyStatus.APPROVED,
}


class RowError(ValueError):
    pass


@dataclass
class PlaceRef:
    """A place to tag: an existing one, or one to create under a parent."""

    place: object = None
    name: str = ""
    name_ar: str = ""
    parent_name: str = ""
    kind: str = ""


@dataclass
class Withdrawal:
    on: datetime.date
    reason: str
    scopes: list[str] | None


@dataclass
class ImportRow:
    line: int
    external_id: str | None
    witness: dict
    language: str
    narrative: str
    translations: dict
    summary: str
    recorded_on: datetime.date
    recorded_by: object
    incident_start: datetime.date | None
    incident_end: datetime.date | None
    incident_precision: str
    places: list[PlaceRef]
    communities: list
    event_types: list
    persons_named: list[str | list[str]]
    status: str
    consent: dict
    withdrawal: Withdrawal | None = None
    witness_community: object = None
    notes: list[str] = field(default_factory=list)
    # (incident key, role) for each incident the line links it to.
    incidents: list[tuple[str, str]] = field(default_factory=list)
    # The testimony the line wrote (set by the import service).
    testimony: object = None


@dataclass
class IncidentRow:
    """An incident line: an incident to create (or, its key known already,
    to update), named by testimony lines through its key."""

    line: int
    key: str
    title: str
    title_ar: str
    summary: str
    summary_ar: str
    start: datetime.date | None
    end: datetime.date | None
    precision: str
    places: list
    communities: list
    event_types: list
    status: str


def _date(value, name, *, required=True):
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise RowError(
            _("%(field)s must be a date written YYYY-MM-DD") % {"field": name}
        )
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise RowError(
            _("%(field)s is not a valid date (YYYY-MM-DD): %(value)r")
            % {"field": name, "value": value}
        ) from None


def _text(data, key, name, *, required=False, max_chars=None):
    value = data.get(key, "")
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise RowError(_("%(field)s must be text") % {"field": name})
    if required and not value.strip():
        raise RowError(_("%(field)s is required") % {"field": name})
    _within(value, max_chars, name)
    return value.strip()


def _within(value: str, max_chars, name):
    if max_chars is not None and len(value) > max_chars:
        raise RowError(
            _("%(field)s is longer than %(limit)s characters")
            % {"field": name, "limit": f"{max_chars:,}"}
        )


def _nesting(value, limit: int) -> int:
    """How deeply a parsed JSON value nests (an object or list is one
    level), counted no further than limit + 1."""
    deepest, level = 0, [(value, 1)]
    while level:
        item, depth = level.pop()
        if not isinstance(item, dict | list) or depth > limit + 1:
            continue
        deepest = max(deepest, depth)
        children = item.values() if isinstance(item, dict) else item
        level.extend((child, depth + 1) for child in children)
    return deepest


def _text_list(data, key):
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RowError(_("%(field)s must be a list of texts") % {"field": key})
    return [v.strip() for v in value if v.strip()]


def _persons(data):
    """persons_named: one entry a person, a name or a list of its spellings
    (so that "Samir" and "سمير" get the same placeholder)."""
    value = data.get("persons_named") or []
    if not isinstance(value, list):
        raise RowError(_("persons_named must be a list"))
    persons = []
    for person in value:
        try:
            spellings = person_spellings(person)
        except ValueError:
            raise RowError(
                _("persons_named: each entry is a name or a list of its spellings")
            ) from None
        spellings = [name.strip() for name in spellings if name.strip()]
        if spellings:
            persons.append(spellings[0] if isinstance(person, str) else spellings)
    return persons


def _unknown(data, allowed, where):
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise RowError(
            _("unknown field(s) in %(where)s: %(names)s")
            % {"where": where, "names": ", ".join(unknown)}
        )


def _choice(value, choices, name):
    if value not in choices:
        raise RowError(
            _("%(field)s must be one of %(choices)s")
            % {"field": name, "choices": " | ".join(sorted(choices))}
        )
    return value


class RowReader:
    """Checks lines against the database: places, vocabularies, users."""

    def __init__(self):
        self.places = PlaceResolver()
        self.communities = {c.slug: c for c in Community.objects.all()}
        self.event_types = {e.slug: e for e in EventType.objects.all()}
        self.users = {}
        self._incident_keys = None

    def _terms(self, slugs, known, name):
        unknown = [s for s in slugs if s not in known]
        if unknown:
            raise RowError(
                _("unknown %(field)s: %(values)s (known: %(known)s)")
                % {
                    "field": name,
                    "values": ", ".join(unknown),
                    "known": ", ".join(sorted(known)),
                }
            )
        return [known[s] for s in dict.fromkeys(slugs)]

    def _user(self, username):
        if not username:
            return None
        if username not in self.users:
            self.users[username] = (
                get_user_model().objects.filter(username=username).first()
            )
        if self.users[username] is None:
            raise RowError(_("recorded_by: no user %(name)r") % {"name": username})
        return self.users[username]

    def _place(self, value) -> PlaceRef:
        if isinstance(value, str):
            return PlaceRef(place=self.places.resolve(value))
        if not isinstance(value, dict):
            raise RowError(_("places must hold names or objects"))
        _unknown(value, {"name", "name_ar", "parent", "kind"}, "places")
        name = _text(value, "name", "places.name", required=True)
        parent = _text(value, "parent", "places.parent", required=True)
        kind = _choice(value.get("kind", ""), set(PlaceKind.values), "places.kind")
        self.places.resolve(parent)  # the parent must exist already
        return PlaceRef(
            name=name,
            name_ar=_text(value, "name_ar", "places.name_ar"),
            parent_name=parent,
            kind=kind,
        )

    def _witness_community(self, slug):
        """The witness's own community: part of who they are, so a wrong
        value is refused without being repeated (errors reach terminals and
        logs)."""
        if not slug:
            return None
        if not isinstance(slug, str) or slug not in self.communities:
            raise RowError(
                _("witness.community is not one of the archive's communities "
                  "(known: %(known)s)")
                % {"known": ", ".join(sorted(self.communities))}
            )  # fmt: skip
        return self.communities[slug]

    def _witness(self, data):
        if not isinstance(data, dict):
            raise RowError(_("witness must be an object"))
        _unknown(data, WITNESS_FIELDS, "witness")
        witness = {
            "name": _text(data, "name", "witness.name", required=True),
            "name_variants": _text_list(data, "name_variants"),
            "contact": _text(data, "contact", "witness.contact"),
            "gender": _choice(
                data.get("gender") or "unknown", set(Gender.values), "witness.gender"
            ),
            "witness_key": _text(data, "witness_key", "witness.witness_key"),
            "birth_year": data.get("birth_year"),
        }
        year = witness["birth_year"]
        if year is not None and (
            not isinstance(year, int)
            or isinstance(year, bool)
            or not 1900 <= year <= datetime.date.today().year
        ):
            # The value itself is identifying: not echoed.
            raise RowError(_("witness.birth_year must be a year between 1900 and now"))
        return witness

    def _consent(self, data):
        if not isinstance(data, dict):
            raise RowError(_("consent is required and must be an object"))
        _unknown(data, CONSENT_FIELDS, "consent")
        if "archive" not in data:
            raise RowError(_("consent.archive is required"))
        consent = {}
        for scope in ConsentScope.values:
            value = data.get(scope, False)
            if not isinstance(value, bool):
                raise RowError(
                    _("consent.%(scope)s must be true or false") % {"scope": scope}
                )
            consent[scope] = value
        if not consent["archive"] and any(consent.values()):
            raise RowError(
                _("consent: sharing needs consent to keep it in the archive")
            )
        consent["method"] = _choice(
            data.get("method"), set(ConsentMethod.values), "consent.method"
        )
        consent["obtained_on"] = _date(data.get("obtained_on"), "consent.obtained_on")
        consent["obtained_by"] = _text(data, "obtained_by", "consent.obtained_by")
        consent["embargo_until"] = _date(
            data.get("embargo_until"), "consent.embargo_until", required=False
        )
        # Optional: the answer to "may the photos and documents be shown, and
        # to whom?". Left out, it was not asked, and none is shown.
        images = data.get("images")
        consent["images"] = (
            ImagesShown.NOT_ASKED
            if images is None
            else _choice(images, set(ImagesShown.values) - {""}, "consent.images")
        )
        return consent

    def _withdrawal(self, data, consent):
        if data is None:
            return None
        if not isinstance(data, dict):
            raise RowError(_("consent.withdrawal must be an object"))
        _unknown(data, {"on", "reason", "scopes"}, "consent.withdrawal")
        on = _date(data.get("on"), "consent.withdrawal.on")
        if on < consent["obtained_on"]:
            raise RowError(
                _("consent.withdrawal.on is before the consent was obtained")
            )
        scopes = data.get("scopes")
        if scopes is not None:
            scopes = _text_list(data, "scopes")
            for scope in scopes:
                _choice(scope, set(WITHDRAWABLE), "consent.withdrawal.scopes")
        return Withdrawal(
            on=on,
            reason=_text(data, "reason", "consent.withdrawal.reason", required=True),
            scopes=scopes,
        )

    def _incident(self, data):
        if data is None:
            return None, None, IncidentPrecision.DAY
        if not isinstance(data, dict):
            raise RowError(_("incident must be an object"))
        _unknown(data, {"start", "end", "precision"}, "incident")
        start = _date(data.get("start"), "incident.start")
        end = _date(data.get("end"), "incident.end", required=False) or start
        if end < start:
            raise RowError(_("incident.end is before incident.start"))
        precision = _choice(
            data.get("precision") or "day", set(IncidentPrecision.values),
            "incident.precision",
        )  # fmt: skip
        return start, end, precision

    def _incident_key(self, value, name):
        if not isinstance(value, str) or not value.strip():
            raise RowError(_("%(field)s must be non-empty text") % {"field": name})
        value = value.strip()
        _within(value, INCIDENT_KEY_MAX, name)
        return value

    def _incident_links(self, value, declared) -> list[tuple[str, str]]:
        """A testimony line's `incidents`: each a key, or {"key", "role"}.
        A key must be declared on an incident line before it in the file or
        name an incident the archive holds already."""
        if value is None:
            return []
        if not isinstance(value, list):
            raise RowError(_("incidents must be a list"))
        links = {}
        for entry in value:
            role = LinkRole.DESCRIBES
            if isinstance(entry, dict):
                _unknown(entry, {"key", "role"}, "incidents")
                role = _choice(
                    entry.get("role") or LinkRole.DESCRIBES,
                    set(LinkRole.values),
                    "incidents.role",
                )
                entry = entry.get("key")
            key = self._incident_key(entry, "incidents.key")
            if key not in declared and key not in self.incident_keys():
                raise RowError(
                    _(
                        "incidents: no incident has the key %(key)r (declare it "
                        "on an incident line before this one)"
                    )
                    % {"key": key}
                )
            links[key] = role
        return list(links.items())

    def incident_keys(self) -> set[str]:
        """The keys of the incidents the archive holds, read once."""
        if self._incident_keys is None:
            self._incident_keys = set(
                Incident.objects.exclude(key=None).values_list("key", flat=True)
            )
        return self._incident_keys

    def read_incident(self, line_number: int, data: dict) -> IncidentRow:
        _unknown(data, INCIDENT_FIELDS, "the incident")
        dates = data.get("dates")
        start, end, precision = (
            self._incident(dates) if dates is not None else (None, None, "day")
        )
        places = data.get("places") or []
        if not isinstance(places, list) or not all(isinstance(p, str) for p in places):
            raise RowError(_("places of an incident must be a list of place names"))
        try:
            resolved = [self.places.resolve(name) for name in places]
        except PlaceLookupError as error:
            raise RowError(str(error)) from None
        return IncidentRow(
            line=line_number,
            key=self._incident_key(data.get("key"), "key"),
            title=_text(data, "title", "title", required=True, max_chars=200),
            title_ar=_text(data, "title_ar", "title_ar", required=True, max_chars=200),
            summary=_text(data, "summary", "summary", max_chars=5000),
            summary_ar=_text(data, "summary_ar", "summary_ar", max_chars=5000),
            start=start,
            end=end,
            precision=precision,
            places=resolved,
            communities=self._terms(
                _text_list(data, "communities"), self.communities, "communities"
            ),
            event_types=self._terms(
                _text_list(data, "event_types"), self.event_types, "event_types"
            ),
            status=_choice(
                data.get("status") or IncidentStatus.PROPOSED,
                set(IncidentStatus.values),
                "status",
            ),
        )

    def read(self, line_number: int, text: str, declared=frozenset()):
        if len(text.encode("utf-8", "surrogatepass")) > LINE_MAX_BYTES:
            raise _line_too_long()
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise RowError(
                _("not valid JSON: %(error)s") % {"error": error.msg}
            ) from None
        except RecursionError:
            raise _too_deep() from None
        if _nesting(data, NESTING_MAX) > NESTING_MAX:
            raise _too_deep()
        if not isinstance(data, dict):
            raise RowError(_("a line must hold one JSON object"))
        if data.get("kind") == "incident":
            return self.read_incident(line_number, data)
        _unknown(data, TOP_LEVEL_FIELDS, "the testimony")
        external_id = data.get("external_id")
        if external_id is not None and (
            not isinstance(external_id, str) or not external_id.strip()
        ):
            raise RowError(_("external_id must be non-empty text"))
        witness = self._witness(data.get("witness"))
        witness_community = self._witness_community(data["witness"].get("community"))
        language = _choice(data.get("language"), set(Language.values), "language")
        translations = data.get("translations") or {}
        if not isinstance(translations, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in translations.items()
        ):
            raise RowError(_("translations must map a language code to a text"))
        for code, translation in translations.items():
            _within(translation, TRANSLATION_MAX_CHARS, f"translations.{code}")
        start, end, precision = self._incident(data.get("incident"))
        places = data.get("places") or []
        if not isinstance(places, list):
            raise RowError(_("places must be a list"))
        try:
            place_refs = [self._place(value) for value in places]
        except PlaceLookupError as error:
            raise RowError(str(error)) from None
        consent = self._consent(data.get("consent"))
        recorded_on = _date(data.get("recorded_on"), "recorded_on")
        return ImportRow(
            line=line_number,
            external_id=external_id.strip() if external_id else None,
            witness=witness,
            witness_community=witness_community,
            language=language,
            narrative=_text(
                data,
                "narrative",
                "narrative",
                required=True,
                max_chars=NARRATIVE_MAX_CHARS,
            ),
            translations={k: v.strip() for k, v in translations.items() if v.strip()},
            summary=_text(data, "summary", "summary", max_chars=SUMMARY_MAX_CHARS),
            recorded_on=recorded_on,
            recorded_by=self._user(_text(data, "recorded_by", "recorded_by")),
            incident_start=start,
            incident_end=end,
            incident_precision=precision,
            places=place_refs,
            communities=self._terms(
                _text_list(data, "communities"), self.communities, "communities"
            ),
            event_types=self._terms(
                _text_list(data, "event_types"), self.event_types, "event_types"
            ),
            persons_named=_persons(data),
            status=_choice(
                data.get("status") or TestimonyStatus.SUBMITTED,
                IMPORT_STATUSES,
                "status",
            ),
            consent=consent,
            withdrawal=self._withdrawal(
                (data.get("consent") or {}).get("withdrawal"), consent
            ),
            incidents=self._incident_links(data.get("incidents"), declared),
        )


def _line_too_long() -> RowError:
    return RowError(
        _("the line is longer than %(limit)s bytes") % {"limit": f"{LINE_MAX_BYTES:,}"}
    )


def _too_deep() -> RowError:
    return RowError(
        _("the line nests more than %(limit)d levels deep") % {"limit": NESTING_MAX}
    )


def import_lines(handle):
    """The lines of a file opened in binary mode, decoded: each a str, or a
    RowError for a line too long (never read into memory whole) or not
    UTF-8. Lines end at "\n" only: JSON text may hold U+2028 and the like,
    which str.splitlines() would cut at."""
    while True:
        line = handle.readline(LINE_MAX_BYTES + 1)
        if not line:
            return
        if len(line) > LINE_MAX_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # the rest of it
                line = handle.readline(1024 * 1024)
            yield _line_too_long()
            continue
        try:
            yield line.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            yield RowError(_("the line is not valid UTF-8"))


def import_read(lines) -> tuple[list, list[tuple[int, str]]]:
    """Check every line (a str, or a RowError import_lines found already);
    return the good rows (ImportRow, and IncidentRow for incident lines)
    and (line, message) errors."""
    reader = RowReader()
    rows, errors, seen_ids, declared = [], [], {}, {}
    for number, text in enumerate(lines, start=1):
        if isinstance(text, RowError):
            errors.append((number, str(text)))
            continue
        if not text.strip():
            continue
        try:
            row = reader.read(number, text, declared)
        except RowError as error:
            errors.append((number, str(error)))
            continue
        if isinstance(row, IncidentRow):
            if row.key in declared:
                errors.append(
                    (
                        number,
                        _("incident key %(key)r already declared on line %(line)d")
                        % {"key": row.key, "line": declared[row.key]},
                    )
                )
                continue
            declared[row.key] = number
            rows.append(row)
            continue
        if row.external_id and row.external_id in seen_ids:
            errors.append(
                (
                    number,
                    _("external_id %(id)r already used on line %(line)d")
                    % {"id": row.external_id, "line": seen_ids[row.external_id]},
                )
            )
            continue
        if row.external_id:
            seen_ids[row.external_id] = number
        rows.append(row)
    return rows, errors
