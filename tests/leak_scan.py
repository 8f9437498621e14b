"""The leak scanner: does any output of the site hold a witness's identity?

`leak_archive` builds an archive through the real import, with witnesses
whose names (Latin and Arabic), contacts and birth years are tokens found
nowhere else, and takes it through every status and consent state, a
review, a withdrawal, an erasure and exports. `leak_scan` then asks the site
for everything it shows, as every role, and returns where an identity
token turned up: response bodies (a workbook's parts unzipped), headers,
cookies and messages, log records, mail, command output and the bytes of
every search index file.

The accounts write the names in every hostile way real text does
(HOSTILE_SPELLINGS: invisible characters, presentation and other
compatibility forms, Persian and Kurdish letters, tanween, hashtags, glued
digits, line-break hyphens, homoglyphs), and two of them state the witness's
contact (in Arabic-Indic digits or an obfuscated address) and birth year
and age. The scanner reads every output with the archive's own aggressive
folding (testimonies.textnorm.fold), after undoing HTML entities, JSON
escapes and URL encoding, with line-break hyphens joined, phone numbers
compared by their digits whatever separates them, and ages in age
statements: a name that slipped through in any of those forms is found.

The only place an identity may appear is the reveal page's answer to a
POST with the right password, for those allowed; the scan checks that it
does appear there, so that a scanner that sees nothing cannot pass. Pages
that show the original narrative to those allowed (and logged) may hold
what the account itself says: the witness's name, and where the account
states them the contact and birth year; never what only the identity holds.
"""

import html
import io
import json
import logging
import re
import unicodedata
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus, unquote_plus, urlencode

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core import mail
from django.core.management import call_command
from django.http import HttpRequest
from django.template.base import Template
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from whoosh.index import open_dir

from testimonies.consent.services.consent import consent_withdraw
from testimonies.consent.services.erasure import testimony_erase
from testimonies.consent.services.review import testimony_approve, testimony_send_back
from testimonies.models import Incident, Testimony
from testimonies.textnorm import fold
from tests.databases import ON_POSTGRESQL

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory
REVEAL_REASON = "the inquiry asked to confirm the witness can be reached"
ROLES = (
    "anonymous",
    "researcher",
    "documenter",
    "other-documenter",
    "moderator",
    "moderator-unverified",
)
# Who may reveal which witness: moderators any, a documenter their own.
REVEALERS = ("moderator", "documenter", "other-documenter")


@dataclass(frozen=True)
class Witness:
    """One witness's identity tokens. Every name part is a token of its
    own: redaction removes parts too, so a surname alone is a leak."""

    key: str
    name: str
    arabic: str
    contact: str
    birth_year: int

    @property
    def name_tokens(self) -> list[str]:
        return [*self.name.split(), *self.arabic.split()]

    @property
    def tokens(self) -> list[str]:
        return [*self.name_tokens, self.contact, str(self.birth_year)]

    @property
    def ages(self) -> list[int]:
        """The ages the witness may state (recorded in 2025, incident 2025)."""
        return [2025 - self.birth_year, 2025 - self.birth_year - 1]

    @property
    def phone_digits(self) -> str:
        """The national number's digits when the contact is a phone."""
        digits = re.sub(r"\D", "", self.contact)
        return digits.removeprefix("963") if "@" not in self.contact else ""


# Every way real text writes a name that redaction must see through, as
# functions of (latin, arabic) giving a Latin and an Arabic sentence.
def _invisible(word: str) -> str:
    return word[:2] + "\u200c" + word[2:4] + "\u00ad" + word[4:]


def _presentation_forms(arabic: str) -> str:
    """Each letter as its isolated presentation form (as PDFs give them)."""
    return "".join(_ISOLATED.get(char, char) for char in arabic)


_ISOLATED = {
    unicodedata.normalize("NFKD", chr(code)): chr(code)
    for code in range(0xFE70, 0xFEFF)
    if "ISOLATED FORM" in unicodedata.name(chr(code), "")
}


def _fullwidth(latin: str) -> str:
    return "".join(
        chr(ord(c) + 0xFEE0) if c.isascii() and c.isalpha() else c for c in latin
    )


def _persian(arabic: str) -> str:
    return arabic.replace("ي", "ی").replace("ك", "ک").replace("ة", "ە")


def _homoglyphs(latin: str) -> str:
    return latin.replace("a", "\u0430").replace("e", "\u0435").replace("o", "\u043e")


def _line_break(word: str) -> str:
    return word[:3] + "-\n" + word[3:]


HOSTILE_SPELLINGS = {
    "invisible characters": lambda w: (
        f"They called {_invisible(w.name.split()[0])} by name.",
        f"نادوا {_invisible(w.arabic.split()[0])} باسمه.",
    ),
    "presentation forms": lambda w: (
        f"The list said {w.name.split()[1].upper()}.",
        f"في القائمة {_presentation_forms(w.arabic)}.",
    ),
    "compatibility forms": lambda w: (
        f"The sign read {_fullwidth(w.name.split()[0])}.",
        f"كتبوا {_fullwidth(w.name.split()[1])}.",
    ),
    "persian and kurdish letters": lambda w: (
        f"A note from {w.name.split()[0]}.",
        f"جاء {_persian(w.arabic.split()[0])} ثم {_persian(w.arabic.split()[1])}.",
    ),
    "tanween": lambda w: (
        f"They beat {w.name.split()[1]}.",
        f"ضربوا {w.arabic.split()[1]}اً أمامنا.",
    ),
    "hashtags and underscores": lambda w: (
        f"Posts tagged #{'_'.join(w.name.split())} spread.",
        f"انتشر وسم #{'_'.join(w.arabic.split())}.",
    ),
    "glued digits": lambda w: (
        f"His account was {w.name.split()[0].lower()}7.",
        f"الحساب {w.arabic.split()[0]}7.",
    ),
    "line-break hyphens": lambda w: (
        f"Then {_line_break(w.name.split()[0])} ran.",
        f"ثم ركض {_line_break(w.arabic.split()[1])}.",
    ),
    "homoglyphs": lambda w: (
        f"Signed {_homoglyphs(w.name)}.",
        f"وقّع {w.arabic}.",
    ),
}


def hostile_sentences(witness) -> tuple[str, str]:
    """One Latin and one Arabic paragraph naming the witness in every
    hostile spelling."""
    pairs = [spell(witness) for spell in HOSTILE_SPELLINGS.values()]
    return " ".join(p[0] for p in pairs), " ".join(p[1] for p in pairs)


def _arabic_digits(text: str) -> str:
    return "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in text)


def stated_details(witness) -> tuple[str, str]:
    """Sentences stating the witness's contact, birth year and age, in
    English and Arabic, written as people write them."""
    if "@" in witness.contact:
        local, host = witness.contact.split("@")
        contact = f"{local} [at] {host.replace('.', ' [dot] ')}"
    else:
        contact = _arabic_digits("0" + witness.phone_digits)
    age = witness.ages[0]
    return (
        f"Reach me at {contact}. I was born in {witness.birth_year}; I am {age}.",
        f"رقمي {contact}. ولدت عام {_arabic_digits(str(witness.birth_year))}"
        f" وعمري {_arabic_digits(str(age))} سنة.",
    )


# Witnesses whose accounts state their contact, birth year and age.
STATING_DETAILS = ("public", "researchers")


# Birth years appear in no date of the fixture (all 2025, or 2099).
WITNESSES = {
    "public": Witness(
        "public",
        "Zubeydqa Varnholtz",
        "زبيدقة فارنهولتز",
        "zv.ridge@tutamail.example",
        1931,
    ),
    "researchers": Witness(
        "researchers", "Quorvith Delmarrak", "قورفيث دلمراك", "+963-944-615-283", 1938
    ),
    "submitted": Witness(
        "submitted",
        "Yslandre Pochkarev",
        "يسلاندر بوشكاريف",
        "ypoch@proton.example",
        1942,
    ),
    "sent-back": Witness(
        "sent-back", "Thibrune Okkasdel", "ثيبرون أوكاسدل", "+963-933-702-164", 1946
    ),
    "withdrawn": Witness(
        "withdrawn",
        "Marquelle Fenwythe",
        "ماركيل فينويث",
        "mfenwy@riseup.example",
        1951,
    ),
    "narrowed": Witness(
        "narrowed",
        "Ossandrine Veltkamp",
        "أوساندرين فيلتكامب",
        "+963-988-310-457",
        1954,
    ),
    "embargoed": Witness(
        "embargoed",
        "Kastellior Brunmay",
        "كاستليور برونماي",
        "kbrunmay@posteo.example",
        1958,
    ),
    "archive-only": Witness(
        "archive-only",
        "Ferrovane Achterluk",
        "فيروفان أشترلوك",
        "+963-955-207-691",
        1961,
    ),
    "erased": Witness(
        "erased",
        "Gwendrasil Tormepik",
        "غويندراسيل تورميبيك",
        "gtormepik@disroot.example",
        1963,
    ),
}


def _row(witness: Witness, *, status="approved", recorded_by="documenter", **extra):
    consent = {
        "archive": True, "researchers": True, "public": True,
        "method": "oral", "obtained_by": "documenter", "obtained_on": "2025-03-20",
    }  # fmt: skip
    consent.update(extra.pop("consent", {}))
    hostile = hostile_sentences(witness)
    stated = stated_details(witness) if witness.key in STATING_DETAILS else ("", "")
    return {
        "external_id": f"leak-{witness.key}",
        "witness": {
            "name": witness.name,
            "name_variants": [witness.arabic],
            "contact": witness.contact,
            "birth_year": witness.birth_year,
            "gender": "female",
            "community": "alawite",
            "witness_key": f"key-{witness.key}",
        },
        "language": "en",
        # The account names the witness, as accounts do, in every hostile
        # spelling: redaction must take the name out of everything but the
        # original text.
        "narrative": f"My name is {witness.name}. Gunmen came to Banias at night "
        f"and took our neighbour; {witness.name.split()[1]} hid in the orchard. "
        f"{hostile[0]} {stated[0]}",
        "translations": {
            "ar": f"اسمي {witness.arabic}. جاء مسلحون إلى بانياس ليلاً. "
            f"{hostile[1]} {stated[1]}"
        },
        "summary": f"{witness.name.split()[0]} describes a night raid in Banias.",
        "recorded_on": "2025-03-20",
        "recorded_by": recorded_by,
        "incident": {"start": "2025-03-07", "end": "2025-03-08", "precision": "day"},
        "places": ["Banias"],
        "communities": ["alawite"],
        "event_types": ["killing", "looting"],
        "persons_named": [],
        "status": status,
        "consent": consent,
        **extra,
    }


# Every testimony is linked to it: the incident pages, their API and the
# search's incident facet are scanned for every role like the rest.
INCIDENT = {
    "kind": "incident",
    "key": "leak-incident",
    "title": "Night raids in Banias",
    "title_ar": "مداهمات ليلية في بانياس",
    "dates": {"start": "2025-03-07", "end": "2025-03-08", "precision": "day"},
    "places": ["Banias"],
}


def _rows() -> list[dict]:
    return [INCIDENT] + [
        {**row, "incidents": [INCIDENT["key"]]} for row in _testimony_rows()
    ]


def _testimony_rows() -> list[dict]:
    W = WITNESSES
    return [
        _row(W["public"], status="submitted"),  # approved below: a review
        _row(W["researchers"], consent={"public": False}),
        # A second testimony of the same witness, still a draft.
        {**_row(W["researchers"], status="draft"), "external_id": "leak-researchers-2"},
        _row(W["submitted"], status="submitted"),
        _row(W["sent-back"], status="submitted"),
        _row(W["withdrawn"]),
        _row(W["narrowed"]),
        _row(W["embargoed"], consent={"embargo_until": "2099-01-01"}),
        _row(
            W["archive-only"],
            recorded_by="other-documenter",
            consent={"researchers": False, "public": False},
        ),
        _row(W["erased"]),
    ]


@dataclass
class LeakArchive:
    users: dict
    testimonies: dict  # external id -> Testimony
    witness_of: dict = field(default_factory=dict)  # public id -> Witness
    incident_ids: list = field(default_factory=list)

    def witness_for_pk(self, pk) -> Witness | None:
        for testimony in self.testimonies.values():
            if str(testimony.pk) == str(pk):
                return self.witness_of[testimony.public_id]
        return None


def leak_archive(tmp_path: Path, users: dict, output: io.StringIO) -> LeakArchive:
    """Import the fixture archive and walk it through its states."""
    path = tmp_path / "leak.jsonl"
    path.write_text(
        "\n".join(json.dumps(row, ensure_ascii=False) for row in _rows()) + "\n",
        encoding="utf-8",
    )
    call_command("import_testimonies", str(path), stdout=output, stderr=output)
    testimonies = {
        t.external_id: t
        for t in Testimony.objects.filter(external_id__startswith="leak-")
    }
    moderator = users["moderator"]
    testimony_approve(
        testimony=testimonies["leak-public"], reviewer=moderator, comment="clear"
    )
    testimony_send_back(
        testimony=testimonies["leak-sent-back"],
        reviewer=moderator,
        comment="Say which street in Banias.",
    )
    consent_withdraw(
        testimony=testimonies["leak-withdrawn"],
        scopes=None,
        reason="the family was threatened",
        obtained_by="documenter",
        recorded_by=users["documenter"],
    )
    consent_withdraw(
        testimony=testimonies["leak-narrowed"],
        scopes=["public"],
        reason="no longer wants it public",
        obtained_by="documenter",
        recorded_by=users["documenter"],
    )
    testimony_erase(
        testimony=testimonies["leak-erased"], reason="asked", erased_by=moderator
    )
    archive = LeakArchive(
        users=users,
        testimonies={},
        incident_ids=list(Incident.objects.values_list("public_id", flat=True)),
    )
    for testimony in Testimony.objects.filter(external_id__startswith="leak-"):
        archive.testimonies[testimony.external_id] = testimony
        key = testimony.external_id.removeprefix("leak-").removesuffix("-2")
        archive.witness_of[testimony.public_id] = WITNESSES[key]
    return archive


@dataclass(frozen=True)
class Finding:
    where: str
    witness: str
    token: str
    context: str = ""  # the text around it, to find the culprit

    def __str__(self):
        return f"{self.witness} {self.token!r} in {self.where}: …{self.context}…"


def _forms(token: str) -> set[str]:
    """The ways a token can be written into an output."""
    return {
        fold(form)
        for form in (
            token,
            html.escape(token),
            json.dumps(token)[1:-1],
            quote(token),
            quote_plus(token),
        )
    }


_JSON_ESCAPE = re.compile(
    r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([0-9a-fA-F]{4})|\\u([0-9a-fA-F]{4})"
)
_LINE_BREAK_HYPHEN = re.compile(r"-\s*\n\s*")


def _json_unescaped(text: str) -> str:
    """\\uXXXX escapes (and surrogate pairs) as the characters they are."""

    def char(match):
        if match.group(3):
            return chr(int(match.group(3), 16))
        pair = int(match.group(1), 16), int(match.group(2), 16)
        return chr(0x10000 + ((pair[0] - 0xD800) << 10) + (pair[1] - 0xDC00))

    return _JSON_ESCAPE.sub(char, text)


def views(text: str) -> list[str]:
    """The folded readings of an output: as it is, with HTML entities, JSON
    escapes and URL encoding undone, each also with line-break hyphens
    joined (Ay-\\nman)."""
    readings = {text}
    if "&" in text:
        readings.add(html.unescape(text))
    if "\\u" in text:
        readings.add(_json_unescaped(text))
    if "%" in text or "+" in text:
        readings.add(unquote_plus(text))
    folded = {fold(reading) for reading in readings}
    return sorted(folded | {_LINE_BREAK_HYPHEN.sub("", f) for f in folded if "-" in f})


def _obfuscated_email(address: str) -> str:
    """An address as people hide it: name [at] host [dot] org, name(at)host,
    name at host dot org."""
    local, host = address.split("@")
    at = r"\s*(?:@|[\[(]\s*at\s*[\])]|\bat\b)\s*"
    dot = r"\s*(?:\.|[\[(]\s*dot\s*[\])]|\bdot\b)\s*"
    return (
        dot.join(map(re.escape, local.split(".")))
        + at
        + dot.join(map(re.escape, host.split(".")))
    )


def _not_after(before: str, literals) -> str:
    """Any of `literals`, not right after a character of class `before`. The
    look-behind follows each literal, so the pattern opens with the literals
    themselves and the regex engine skips ahead to where one may start,
    instead of trying every position of every page."""
    branches = [
        f"{re.escape(literal)}(?<!{before}{re.escape(literal)})" for literal in literals
    ]
    return f"(?:{'|'.join(branches)})"


AGE_WORDS = ("i am", "i'm", "im", "aged", "age", "عمري", "عمره", "بعمر")


def _age_pattern(ages) -> str:
    """An age stated as one: words of their own ("im74" inside a random token,
    a CSRF value, is no age) next to a number of its own."""
    ages = [str(age) for age in ages]
    return (
        _not_after(r"\w", AGE_WORDS)
        + rf"\s*(?<![0-9])(?:{'|'.join(ages)})(?![0-9])"
        + "|"
        + _not_after("[0-9]", ages)
        + r"(?![0-9])\s*(?:years? old|سنه|عاما)(?!\w)"
    )


# Django's CSRF values: random letters and digits that no data shapes, but
# that may open with what reads as an age stated ("im64" is "I'm 64"). Only
# the value itself is set aside, never what follows it.
_CSRF_VALUE = re.compile(r'(csrfmiddlewaretoken" value="|csrftoken=)[A-Za-z0-9]+')


class Scanner:
    """Collects findings: identity tokens where none may be."""

    def __init__(self, witnesses=None):
        self.witnesses = list(witnesses or WITNESSES.values())
        self.findings: list[Finding] = []
        self.seen: set[tuple[str, str]] = set()  # (where, token) found, allowed
        # (role, method, url) -> (status, Location): what each role was
        # answered, to compare a page's two languages.
        self.answers: dict[tuple[str, str, str], tuple[int, str]] = {}
        self._patterns = []
        for witness in self.witnesses:
            for token in witness.tokens:
                needles = None  # literals one of which a match holds
                forms = "|".join(re.escape(form) for form in _forms(token))
                if token.isdigit():
                    needles = tuple(_forms(token))
                    # A year is a leak only as a number of its own, not as
                    # four digits inside a digest, a key or a random id.
                    forms = _not_after("[0-9a-z]", needles) + "(?![0-9a-z])"
                if token == witness.contact and witness.phone_digits:
                    # The number whatever separates its digits.
                    digits = r"[\s\-./()]{0,3}".join(witness.phone_digits)
                    forms = rf"{forms}|{digits}(?![0-9])"
                elif token == witness.contact:
                    # The address however its @ and dots are written.
                    forms = rf"{forms}|{_obfuscated_email(fold(token))}"
                pattern = re.compile(forms)
                self._patterns.append((witness, token, pattern, needles))
            self._patterns.append(
                (
                    witness,
                    str(witness.birth_year),
                    re.compile(_age_pattern(witness.ages)),
                    tuple(map(str, witness.ages)),
                )
            )

        self._needles = {n for *_, needles in self._patterns for n in needles or ()}

    def check(self, where: str, text, *, allowed=()) -> None:
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        allowed = set(allowed)
        readings = views(_CSRF_VALUE.sub(r"\1", text))
        # A pattern that opens with a look-behind is searched position by
        # position; where none of the digits it needs is in the text (most
        # pages), that search is skipped: it was most of the scan's time.
        # Each number is looked for once per output, not once per pattern,
        # in the readings joined by a character no number holds.
        joined = "\0".join(readings)
        present = {n for n in self._needles if n in joined}
        for witness, token, pattern, needles in self._patterns:
            if needles and present.isdisjoint(needles):
                continue
            match = next(
                (m for m in map(pattern.search, readings) if m is not None), None
            )
            if match is None:
                continue
            if token in allowed:
                self.seen.add((where, token))
            else:
                found_in = match.string
                context = found_in[max(0, match.start() - 80) : match.end() + 40]
                self.findings.append(Finding(where, witness.key, token, context))


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(f"{self.format(record)} {record.args!r}")


# The project's own loggers are opened to DEBUG for the scan: a debug line
# written today is an info line tomorrow. Other libraries keep the levels
# the settings give them (django.template must never run at DEBUG, see
# settings.LOGGING), and everything else reaches the root at DEBUG.
PROJECT_LOGGERS = ("archive", "testimonies", "search", "tests")


@contextmanager
def captured_logs():
    """Every log record that reaches the root logger, at DEBUG, and every
    record of the project's own loggers, while the block runs."""
    handler = _Capture()
    root = logging.getLogger()
    loggers = [root] + [
        logger
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
        and name.split(".")[0] in PROJECT_LOGGERS
        and logger.level != logging.NOTSET
    ]
    levels = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for logger, level in levels:
            logger.setLevel(level)


def role_clients(users: dict) -> dict[str, Client]:
    """A client per role, each with its own session."""
    clients = {}
    for role in ROLES:
        client = Client()
        user = users.get(role.removesuffix("-unverified"))
        if user is not None:
            client.force_login(user)
        if role == "moderator":
            device, _ = TOTPDevice.objects.get_or_create(
                user=user, name="phone", defaults={"confirmed": True}
            )
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        clients[role] = client
    return clients


def url_patterns(resolver=None, prefix="", namespace=""):
    """(route with converters, name with namespace, callback) of every URL."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + _route(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            inner = f"{namespace}:{ns}".strip(":") if ns else namespace
            yield from url_patterns(entry, route, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else ""
            yield route.lstrip("^").rstrip("$"), name, entry.callback


def _route(pattern) -> str:
    """A pattern as a route: regex groups become <name>, anchors go."""
    text = str(pattern)
    if isinstance(pattern, RegexPattern):
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", text)
        text = text.replace("^", "").replace("$", "").replace("\\", "")
    return text


_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
# POSTing these changes state or the session (logout, language), or counts
# as a failed login: their GET is scanned, their effect elsewhere.
_NO_EMPTY_POST = {"testimonies:submit", "logout", "set_language", "login"}


def _values(parameter: str, callback, archive: LeakArchive) -> list[str]:
    """Values to fill a URL parameter with, from the fixture."""
    model_admin = getattr(callback, "model_admin", None)
    if parameter == "public_id":
        testimonies = [t.public_id for t in archive.testimonies.values()]
        return testimonies + archive.incident_ids + ["zzzzzzzzzzzzz"]
    if parameter == "object_id" and model_admin is not None:
        objects = model_admin.model._default_manager
        return [str(pk) for pk in objects.values_list("pk", flat=True)]
    if parameter == "step":  # the recording steps
        from testimonies.recording.steps import STEP_SLUGS

        return list(STEP_SLUGS)
    if parameter == "app_label":
        return ["testimonies", "archive", "auth"]
    if parameter == "id":
        return [str(user.pk) for user in archive.users.values() if user]
    if parameter == "content_type_id":
        from django.contrib.contenttypes.models import ContentType

        return [str(ContentType.objects.get_for_model(Testimony).pk)]
    if parameter == "object_id":  # the admin's view-on-site shortcut
        return [str(t.pk) for t in archive.testimonies.values()]
    return ["no-such-thing"]


def _admin_model(callback):
    model_admin = getattr(callback, "model_admin", None)
    return model_admin.model if model_admin is not None else None


def concrete_urls(archive: LeakArchive):
    """(url, name, testimony's witness or None, callback, whether it is the
    pattern's first url) for every pattern."""
    for route, name, callback in url_patterns():
        parameters = _PARAMETER.findall(route)
        urls = [("/" + route, None)]
        for _converter, parameter in parameters:
            filled = []
            for url, witness in urls:
                for value in _values(parameter, callback, archive):
                    found = archive.witness_of.get(value) or (
                        archive.witness_for_pk(value)
                        if _admin_model(callback) is Testimony
                        else None
                    )
                    filled.append(
                        (_PARAMETER.sub(value, url, count=1), witness or found)
                    )
            urls = filled
        for number, (url, witness) in enumerate(urls):
            yield url, name, witness, callback, number == 0


def every_language_urls(archive: LeakArchive, *, arabic: bool = True) -> list:
    """concrete_urls in English (pages without a prefix, and the interfaces
    for scripts), then every page again under /ar/: a page that leaks only in
    Arabic is caught too."""
    with translation.override(settings.LANGUAGE_CODE):
        urls = list(concrete_urls(archive))
    if arabic:
        with translation.override("ar"):
            urls += [u for u in concrete_urls(archive) if u[0].startswith("/ar/")]
    return urls


# Under /ar/ the pages are asked for (GET), and the identity is revealed,
# but no empty form is posted: an empty POST runs the same view on the same
# rows as in English, and its answer differs from the English one only in
# the language of its messages; the Arabic page itself is scanned by its GET.
#
# On PostgreSQL the pages are asked for in English alone. What the database
# shapes (which rows reach a page, for whom) is the same in either language;
# what the language shapes (templates, translations) is the same on either
# database, and is scanned page by page in Arabic in the SQLite run.
PAGES_IN_ARABIC = not ON_POSTGRESQL


def _answer(response) -> tuple[int, str]:
    return response.status_code, response.get("Location", "")


def _original_allowed(name: str, role: str, url: str, witness) -> list[str]:
    """Name tokens a page may show because it shows the original account
    (logged) to someone allowed to read it."""
    if witness is None or role not in ("moderator", "documenter", "other-documenter"):
        return []
    shows_original = (
        (name == "testimonies:detail" and "original=1" in url)
        or (name == "moderation:review" and role == "moderator")
        # The marks editor: original and redacted side by side (logged).
        or name == "testimonies:redaction"
        # The recording steps that show the account as written (logged).
        or (
            name == "testimonies:record-step"
            and url.rstrip("/").rsplit("/", 1)[-1] in ("account", "review")
        )
    )
    if not shows_original:
        return []
    # What the account itself says: the names, and the contact and birth
    # year where it states them.
    if witness.key in STATING_DETAILS:
        return witness.tokens
    return witness.name_tokens


def _headers(response) -> str:
    """The response's headers as text, but for Content-Length: a byte count
    cannot carry an identity, and a page whose size happens to equal a
    witness's birth year (1961 bytes) is no leak."""
    return "\n".join(
        f"{k}: {v}"
        for k, v in response.headers.items()
        if k.lower() != "content-length"
    )


def _numbers_in(url: str) -> list[str]:
    """The numbers an address carries (the admin's sequential ids): a
    redirect to the login page carries them on in its Location, and an audit
    entry numbered 1961 is not the birth year of a witness born in 1961."""
    return re.findall(r"(?<![0-9a-z])[0-9]+(?![0-9a-z])", url)


# The scan asks for every page many times over as each role: no budget
# may refuse it (tests/archive/test_ratelimit.py holds the budgets).
UNTHROTTLED = {
    name: "1000000/minute"
    for name in (
        "ARCHIVE_RATE_ANON",
        "ARCHIVE_RATE_USER",
        "ARCHIVE_RATE_EXPORT",
        "ARCHIVE_RATE_LOGIN",
        "ARCHIVE_RATE_MEDIA",
        # Each role posts the reset form once per language.
        "ARCHIVE_RATE_PASSWORD_RESET",
    )
}


def _plain_render(template, context):
    return template.nodelist.render(context)


@contextmanager
def templates_uninstrumented():
    """Templates rendered as outside tests. Under test, Django's client
    records a copy of every template's context for `response.context`, a
    copy per template and include; the scan never reads it, over some
    13,000 pages."""
    instrumented = Template._render
    Template._render = _plain_render
    try:
        yield
    finally:
        Template._render = instrumented


def _zipped_parts(content: bytes):
    """(name, bytes) of every part of a zip archive (a workbook is one: its
    cells are compressed XML, which the body's own bytes never show), or
    nothing for any other body."""
    if not content.startswith(b"PK\x03\x04"):
        return
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            yield name, archive.read(name)


def check_response(scanner, where, response, allowed=(), *, typed=()):
    """`typed`: tokens the request itself carried, which a redirect to the
    login page carries on in its address."""
    if response.status_code == 429:
        # A refused request is a page the scan never saw (and its "wait N
        # seconds" may read as a year): the scan runs unthrottled.
        scanner.findings.append(Finding(where, "-", "429", "throttled, not scanned"))
    scanner.check(f"{where}: body", response.content, allowed=allowed)
    for name, part in _zipped_parts(response.content):
        scanner.check(f"{where}: body {name}", part, allowed=allowed)
    headers = _headers(response)
    scanner.check(f"{where}: headers", headers, allowed=[*allowed, *typed])
    for morsel in response.cookies.values():
        scanner.check(f"{where}: cookie {morsel.key}", morsel.OutputString())
        if morsel.key == CookieStorage.cookie_name and morsel.value:
            messages = CookieStorage(HttpRequest())._decode(morsel.value) or []
            text = "\n".join(str(message) for message in messages)
            scanner.check(f"{where}: messages", text)


def _search_queries():
    """Every witness's name as typed by someone who knows it; the Arabic
    spelling, contact and birth year of two witnesses (one released, one
    withdrawn) stand for the rest."""
    yield {}
    yield {"q": "Banias"}
    for witness in WITNESSES.values():
        yield {"q": witness.name}
    for witness in (WITNESSES["public"], WITNESSES["withdrawn"]):
        yield {"q": witness.arabic}
        yield {"q": witness.contact}
        yield {"q": str(witness.birth_year)}
        # Did you mean: a name misspelt, in another spelling, written as
        # the accounts write it.
        first = witness.name.split()[0]
        yield {"q": first[:-1] + ("o" if first[-1] != "o" else "e")}
        yield {"q": _homoglyphs(witness.name)}
        yield {"q": _persian(witness.arabic.split()[0])}


def _check_json_export(scanner, where, response, typed):
    """An export in JSON names the query it was made with (the user's own
    words, so that the file says how it was made); the rest of the file is
    held to the full rule."""
    if response.status_code != 200:
        check_response(scanner, where, response, typed=typed)
        return
    document = json.loads(response.content)
    query = document.pop("query", None)
    scanner.check(f"{where}: query echoed", json.dumps(query), allowed=typed)
    scanner.check(f"{where}: body", json.dumps(document))
    headers = _headers(response)
    scanner.check(f"{where}: headers", headers)


def leak_scan(
    archive: LeakArchive,
    *,
    roles=ROLES,
    url_names=None,
    command_output: str = "",
) -> tuple[list[Finding], Scanner, list]:
    """Ask the site for everything as each role and scan what comes back.

    `url_names` limits the URLs to those names (None: every URL). Returns
    the findings, the scanner (what it saw where it is allowed) and the
    responses of allowed reveals."""
    scanner = Scanner()
    clients = role_clients(archive.users)
    reveals = []
    wanted = (lambda name: True) if url_names is None else url_names.__contains__
    scanner.check("import command output", command_output)
    with (
        captured_logs() as logs,
        override_settings(**UNTHROTTLED),
        templates_uninstrumented(),
    ):
        mail.outbox = []
        urls = every_language_urls(archive, arabic=PAGES_IN_ARABIC)
        for role in roles:
            client = clients[role]
            for url, name, witness, _callback, first in urls:
                if not wanted(name):
                    continue
                # The admin turns away everyone but a verified moderator
                # before it looks at an object: one object is enough there.
                if name.startswith("admin:") and role != "moderator" and not first:
                    continue
                for suffix in (
                    ("", "?original=1") if name == "testimonies:detail" else ("",)
                ):
                    full = url + suffix
                    allowed = _original_allowed(name, role, full, witness)
                    response = client.get(full)
                    scanner.answers[(role, "GET", full)] = _answer(response)
                    check_response(
                        scanner, f"GET {full} as {role}", response, allowed,
                        typed=_numbers_in(full),
                    )  # fmt: skip
                if name == "testimonies:identity":
                    response = client.post(
                        url, {"reason": REVEAL_REASON, "password": PASSWORD}
                    )
                    mine = witness is not None and response.status_code == 200
                    allowed = witness.tokens if mine and role in REVEALERS else []
                    where = f"POST {url} as {role}"
                    check_response(scanner, where, response, allowed)
                    if allowed:
                        reveals.append((where, witness, response))
                elif (
                    name not in _NO_EMPTY_POST
                    and not name.startswith("admin:")
                    # Posting the review step submits, as submit does.
                    and not url.endswith("/record/review/")
                    and not url.startswith("/ar/")
                ):
                    response = client.post(url, {})
                    scanner.answers[(role, "POST", url)] = _answer(response)
                    allowed = _original_allowed(name, role, url, witness)
                    where = f"POST {url} (empty) as {role}"
                    check_response(
                        scanner, where, response, allowed, typed=_numbers_in(url)
                    )
            if wanted("search:page"):
                for query in _search_queries():
                    # What the user typed may come back to them; nothing more.
                    typed = [
                        t
                        for w in WITNESSES.values()
                        for t in w.tokens
                        if fold(t) in fold(query.get("q", ""))
                    ]
                    # The search page echoes the query in its box and links;
                    # the API and exports echo nothing, so they are held to
                    # the full rule (and the API shows what the page shows).
                    for path, echo in (
                        ("/search/", typed),
                        ("/ar/search/", typed),
                        ("/api/search/", ()),
                        ("/search/export.csv", ()),
                        ("/search/export.json", ()),
                    ):
                        full = f"{path}?{urlencode(query)}"
                        response = client.get(full)
                        where = f"GET {full} as {role}"
                        if path.endswith(".json"):
                            _check_json_export(scanner, where, response, typed)
                            continue
                        check_response(
                            scanner, where, response, allowed=echo, typed=typed
                        )
        for message in mail.outbox:
            scanner.check("mail", message.message().as_string())
    for number, line in enumerate(logs.lines):
        scanner.check(f"log record {number}", line)
    scan_index_files(scanner)
    return scanner.findings, scanner, reveals


def scan_index_files(scanner: Scanner) -> None:
    """The bytes of every search index file, and the stored fields of every
    document (Whoosh compresses them: read as Whoosh does, from every
    segment, documents marked deleted included)."""
    index_dir = Path(settings.HAYSTACK_CONNECTIONS["default"]["PATH"])
    for path in sorted(index_dir.rglob("*")):
        if path.is_file():
            scanner.check(f"search index file {path.name}", path.read_bytes())
    if index_dir.is_dir() and any(index_dir.glob("*.toc")):
        with open_dir(str(index_dir)).reader() as reader:
            for leaf, _offset in reader.leaf_readers():
                for docnum in range(leaf.doc_count_all()):
                    stored = leaf.stored_fields(docnum)
                    scanner.check(
                        "search index file (stored fields)",
                        "\n".join(map(str, stored.values())),
                    )
