"""Every way real text writes a name, imported and then looked for in
everything a reader can reach.

For each spelling class (tests.leak_scan.HOSTILE_SPELLINGS: invisible
characters, presentation and other compatibility forms, Persian and Kurdish
letters, tanween, hashtags and underscores, glued digits, line-break hyphens,
homoglyphs) and for the witness's contact and birth year stated in the
text: two testimonies of one witness are imported with import_testimonies,
approved for the public, and then the anonymous public and a researcher
read the pages, search the API and the search page (the name as typed, as
written in the text, misspelt for "did you mean"), export, and the search
index's files are read. The scanner (tests.leak_scan) folds everything as
the archive does: the name must be nowhere.

Run with the leak scan: `pytest -m leak_scan`."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from testimonies.models import Testimony, TestimonyStatus
from testimonies.textnorm import fold
from tests.leak_scan import (
    HOSTILE_SPELLINGS,
    Scanner,
    Witness,
    scan_index_files,
    stated_details,
)
from tests.markers import committed_db

pytestmark = [committed_db, pytest.mark.leak_scan, pytest.mark.usefixtures("coast")]

WITNESS = Witness(
    "hostile", "Zubeydqa Varnholtz", "زبيدقة فارنهولتز", "+963-944-615-283", 1931
)
# A word only these accounts hold: what a search finds them by.
SHARED = "quinceorchard"
CLASSES = {**HOSTILE_SPELLINGS, "contact and birth year stated": stated_details}


def _line(number: int, english: str, arabic: str) -> str:
    return json.dumps(
        {
            "external_id": f"hostile-{number}",
            "witness": {
                "name": WITNESS.name,
                "name_variants": [WITNESS.arabic],
                "contact": WITNESS.contact,
                "birth_year": WITNESS.birth_year,
                "witness_key": "hostile-witness",
            },
            "language": "en",
            "narrative": f"We hid in the {SHARED} at night. {english}",
            "translations": {"ar": f"اختبأنا ليلاً. {arabic}"},
            "recorded_on": "2025-03-20",
            "incident": {"start": "2025-03-07", "precision": "day"},
            "places": ["Banias"],
            "event_types": ["killing"],
            "status": "approved",
            "consent": {
                "archive": True, "researchers": True, "public": True,
                "method": "oral", "obtained_by": "documenter",
                "obtained_on": "2025-03-20",
            },
        },
        ensure_ascii=False,
    )  # fmt: skip


def _queries(english: str, arabic: str) -> list[str]:
    first = WITNESS.name.split()[0]
    return [
        SHARED,
        WITNESS.name,
        WITNESS.arabic,
        # As the text writes it, and misspelt ("did you mean").
        *(word for word in english.split() if fold(word)[:4] in fold(WITNESS.name)),
        *(word for word in arabic.split() if fold(word)[:3] in fold(WITNESS.arabic)),
        first[:-1] + "o",
        WITNESS.arabic.split()[0][:-1],
        str(WITNESS.birth_year),
        WITNESS.contact,
    ]


def _typed(query: str) -> list[str]:
    """What of the identity the query itself holds (a page may echo it)."""
    return [token for token in WITNESS.tokens if fold(token) in fold(query)]


@pytest.fixture
def clients(researcher):
    reader = Client()
    reader.force_login(researcher)
    return {"anonymous": Client(), "researcher": reader}


@pytest.mark.parametrize("spelling", CLASSES)
def test_a_name_written_this_way_reaches_no_reader(tmp_path, clients, spelling):
    english, arabic = CLASSES[spelling](WITNESS)
    path = tmp_path / "hostile.jsonl"
    path.write_text(
        f"{_line(1, english, arabic)}\n{_line(2, english, arabic)}\n", encoding="utf-8"
    )
    output = io.StringIO()
    call_command("import_testimonies", str(path), stdout=output, stderr=output)
    testimonies = list(Testimony.objects.filter(external_id__startswith="hostile-"))
    # Everything here is certainly the witness: replaced, nothing to decide.
    assert [t.status for t in testimonies] == [TestimonyStatus.APPROVED] * 2
    scanner = Scanner([WITNESS])
    scanner.check("import output", output.getvalue())

    for role, client in clients.items():
        for testimony in testimonies:
            page = client.get(testimony.get_absolute_url())
            assert page.status_code == 200, role
            assert SHARED in page.content.decode()  # the account is shown
            scanner.check(f"page as {role}", page.content)
        for query in _queries(english, arabic):
            api = client.get("/api/search/", {"q": query})
            assert api.status_code == 200
            scanner.check(f"API {query!r} as {role}", api.content)
            html = client.get("/search/", {"q": query})
            scanner.check(
                f"search page {query!r} as {role}",
                html.content,
                allowed=_typed(query),
            )
            for export in ("/search/export.csv", "/search/export.json"):
                exported = client.get(export, {"q": query})
                if exported.status_code != 200:
                    assert role == "anonymous"
                    continue
                body = exported.content
                if export.endswith(".json"):
                    document = json.loads(body)
                    document.pop("query")  # the user's own words, echoed
                    body = json.dumps(document)
                scanner.check(f"{export} {query!r} as {role}", body)
        found = client.get("/api/search/", {"q": SHARED}).json()
        assert found["count"] == 2, role  # the search did find them
    scan_index_files(scanner)
    assert scanner.findings == [], "\n".join(map(str, scanner.findings[:20]))
