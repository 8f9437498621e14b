"""No witness's identity in any output of the site.

Run alone with `pytest -m leak_scan`. See tests/leak_scan.py for what is
scanned and how."""

import io
import logging
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished
from django.http import HttpResponse
from haystack import connections
from openpyxl import Workbook

from testimonies.models import Testimony
from testimonies.vault.identity import identity_read
from tests import factories
from tests.databases import markup_only
from tests.leak_scan import (
    PAGES_IN_ARABIC,
    WITNESSES,
    Scanner,
    check_response,
    leak_archive,
    leak_scan,
)
from tests.markers import committed_db

pytestmark = [committed_db, pytest.mark.leak_scan, pytest.mark.usefixtures("coast")]


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def archive(tmp_path, users, documenter):
    other = factories.UserFactory(username="other-documenter")
    other.groups.add(*documenter.groups.all())
    users = {**users, "other-documenter": other, "anonymous": None}
    output = io.StringIO()
    built = leak_archive(tmp_path, users, output)
    built.command_output = output.getvalue()
    return built


def test_no_identity_leaves_the_archive_but_through_the_reveal(archive):
    findings, scanner, reveals = leak_scan(
        archive, command_output=archive.command_output
    )
    assert findings == [], "\n".join(map(str, findings[:40]))
    # The scanner sees identities where they are: on each allowed reveal,
    # every token of the witness (so a blind scanner cannot pass).
    revealed = {(witness.key, where.split(" as ")[1]) for where, witness, _ in reveals}
    for key in WITNESSES.keys() - {"erased"}:
        assert (key, "moderator") in revealed, key
    assert ("archive-only", "other-documenter") in revealed
    assert ("public", "documenter") in revealed
    assert not any(key == "erased" for key, _ in revealed)
    for where, witness, _ in reveals:
        for token in witness.tokens:
            assert (f"{where}: body", token) in scanner.seen, (where, token)
    # ...and the original text, where it may show the name, did show it.
    assert any("?original=1 as moderator" in where for where, _ in scanner.seen)
    # The erased witness's identity is gone, and the scan ran on pages.
    erased = archive.testimonies["leak-erased"]
    assert identity_read(witness=erased.witness) is None
    # Every role was answered the same for a page in either language, and a
    # redirect from an Arabic page stays in Arabic.
    arabic = {
        key: answer for key, answer in scanner.answers.items() if "/ar/" in key[2]
    }
    assert len(arabic) > 200 or not PAGES_IN_ARABIC
    for (role, method, url), (status, location) in arabic.items():
        english_status, english_location = scanner.answers[(role, method, url[3:])]
        assert status == english_status, (role, method, url)
        if english_location.startswith("/") and status in (301, 302):
            # The page to come back to (`next`) is the Arabic page too.
            expected = "/ar" + unquote(english_location).replace("next=/", "next=/ar/")
            assert unquote(location) == expected, (role, method, url, location)


def _broken_template(tmp_path, *, only_in_arabic=False):
    """testimony_detail.html, printing the original narrative (which names
    the witness) instead of the redacted one: the slip a template is most
    likely to make, since identities themselves are sealed. Or printing it
    on the Arabic page only."""
    source = Path(settings.BASE_DIR) / "templates/testimonies/testimony_detail.html"
    broken = tmp_path / "broken-templates" / "testimonies"
    broken.mkdir(parents=True)
    slip = "{{ page.testimony.narrative }} "
    if only_in_arabic:
        slip = (
            "{% get_current_language as now %}{% if now == 'ar' %}"
            + slip
            + "{% endif %}"
        )
    text = source.read_text(encoding="utf-8").replace("<h1>", "<h1>" + slip, 1)
    (broken / "testimony_detail.html").write_text(text, encoding="utf-8")
    return broken.parent


def _leaky_log_line(sender, **kwargs):
    testimony = Testimony.objects.filter(external_id="leak-public").first()
    identity = identity_read(witness=testimony.witness)
    logging.getLogger("testimonies.leaky").info("served %s", identity.name)


def _index_document(name):
    backend = connections["default"].get_backend()
    writer = backend._writer()
    writer.add_document(
        id="testimonies.testimony.1", django_ct="testimonies.testimony",
        django_id="1", text=f"{name} was here",
    )  # fmt: skip
    writer.commit()


@pytest.mark.parametrize(
    "leak",
    [
        "template",
        # Pages are scanned in Arabic in the SQLite run (PAGES_IN_ARABIC).
        pytest.param("arabic template", marks=markup_only),
        "log",
        "index",
    ],
)
def test_the_scan_reports_an_identity_printed_anywhere(
    archive, settings, tmp_path, leak
):
    """A deliberately broken template, log line and index document: each
    must be reported, where it happened."""
    name = WITNESSES["public"].name
    if leak.endswith("template"):
        arabic = leak == "arabic template"
        broken = _broken_template(tmp_path, only_in_arabic=arabic)
        templates = [dict(settings.TEMPLATES[0])]
        templates[0]["DIRS"] = [broken, *templates[0]["DIRS"]]
        settings.TEMPLATES = templates
        expected = "GET /ar/testimonies/" if arabic else "GET /testimonies/"
    elif leak == "log":
        request_finished.connect(_leaky_log_line, dispatch_uid="leaky-log-line")
        expected = "log record"
    else:
        _index_document(name)
        expected = "search index file"
    try:
        findings, _, _ = leak_scan(
            archive, roles=("researcher",), url_names={"testimonies:detail"}
        )
    finally:
        request_finished.disconnect(dispatch_uid="leaky-log-line")
    where = {f.where for f in findings if f.token in name.split()}
    assert any(w.startswith(expected) for w in where), findings


def test_the_scan_finds_a_token_written_in_any_form():
    witness = WITNESSES["researchers"]
    for text in (
        f"<p>{witness.arabic}</p>",
        '{"name": "\\u0642\\u0648\\u0631\\u0641\\u064a\\u062b"}',
        "next=/search/%3Fq%3DQuorvith",
        f"born in {witness.birth_year}.",
        witness.contact.upper(),
        # The hostile spellings, as they could slip through.
        "Quor\u200cvith",
        '{"q": "Quor\\u200cvith"}',  # JSON-escaped
        "Quor&#8204;vith",  # an HTML entity
        "next=%2Fsearch%2F%3Fq%3DQuor%E2%80%8Cvith",  # URL-encoded
        "\ufed7\ufeee\ufead\ufed3\ufef3\ufe9b",  # presentation forms
        "قورفیث",  # Persian yeh
        "Qu\u043ervith",  # Cyrillic o
        "\uff31\uff55\uff4f\uff52\uff56\uff49\uff54\uff48",  # fullwidth
        "Quor-\n  vith",  # a line-break hyphen
        "#Quorvith_Delmarrak",
        "٠٩٤٤ ٦١٥ ٢٨٣",  # the phone in Arabic-Indic digits
        "(0944) 615-283",
        "I am 87 now",  # the age (born 1938, recorded 2025)
        "عمري ٨٦ سنة",
    ):
        scanner = Scanner([witness])
        scanner.check("text", text)
        assert scanner.findings, text
    scanner = Scanner([witness])
    scanner.check("digest", f"a{witness.birth_year}f 8{witness.birth_year}3")
    scanner.check("another age", "the house was 87 metres from the road")
    # Django's random CSRF values may open with what reads as "I'm 87".
    scanner.check("form", '<input name="csrfmiddlewaretoken" value="im87Ab4sqm">')
    scanner.check("cookie", "csrftoken=im86Zq0wLx; Path=/; SameSite=Lax")
    assert scanner.findings == []
    # Only Django's own random value is set aside, not what follows it.
    scanner.check("form", '<input name="csrfmiddlewaretoken" value="x"> I am 87')
    assert scanner.findings
    mailer = Scanner([WITNESSES["public"]])
    mailer.check("text", "write to zv.ridge [at] tutamail [dot] example")
    assert mailer.findings


def test_the_scan_reads_inside_a_workbook():
    """A workbook's cells are compressed XML inside a zip, which its bytes
    never show: the scan opens it, as a reader's spreadsheet does."""
    witness = WITNESSES["researchers"]
    book = Workbook()
    book.active["A1"] = f"Told by {witness.name}"
    body = io.BytesIO()
    book.save(body)
    response = HttpResponse(body.getvalue())
    assert witness.name.split()[0].encode() not in response.content
    scanner = Scanner([witness])
    check_response(scanner, "GET /export.xlsx", response)
    assert any(
        finding.where.startswith("GET /export.xlsx: body xl/")
        for finding in scanner.findings
    ), scanner.findings
