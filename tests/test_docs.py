"""The documentation stays true: its links reach a page and a heading, the
import format's examples import, and every field the reader or the search
form accepts is documented."""

import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from search.forms import SearchForm
from testimonies.imports.reader import (
    CONSENT_FIELDS,
    TOP_LEVEL_FIELDS,
    WITNESS_FIELDS,
)
from testimonies.models import ConsentRecord, Testimony

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CODE_BLOCK = re.compile(r"```.*?```", re.S)


def _prose(page: Path) -> str:
    return CODE_BLOCK.sub("", page.read_text(encoding="utf-8"))


def _anchor(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation
    dropped but for hyphens, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    return {_anchor(h) for h in re.findall(r"^#+ (.*)$", _prose(page), re.M)}


def test_every_link_in_the_docs_reaches_a_page_and_its_heading():
    broken = []
    for page in PAGES:
        for target in re.findall(r"\]\(([^)\s]+)\)", _prose(page)):
            if target.startswith(("http://", "https://")):
                continue
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists():
                broken.append(f"{page.name}: {target}")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert broken == []


def _documented_fields(page: str) -> set[str]:
    """The names in the first column of the page's tables."""
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    return set(re.findall(r"^ *\| `([a-z_]+)` \|", text, re.M))


def test_every_field_of_an_import_line_is_documented():
    documented = _documented_fields("import-format.md")
    accepted = TOP_LEVEL_FIELDS | WITNESS_FIELDS | CONSENT_FIELDS
    accepted |= {"start", "end", "precision"}  # incident
    accepted |= {"name", "name_ar", "parent", "kind"}  # a place to add
    accepted |= {"on", "reason", "scopes"}  # consent.withdrawal
    assert accepted - documented == set()


def test_every_search_parameter_is_documented():
    documented = _documented_fields("api.md")
    assert set(SearchForm(user=None).fields) - documented == set()


def _import_examples() -> list[str]:
    """The example lines of docs/import-format.md, each as one line."""
    text = (ROOT / "docs" / "import-format.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)```", text, re.S)
    return [json.dumps(json.loads(block), ensure_ascii=False) for block in blocks]


@pytest.mark.usefixtures("gazetteer", "documenter")
def test_the_import_format_examples_import(tmp_path):
    minimal, complete = _import_examples()
    path = tmp_path / "examples.jsonl"
    path.write_text(f"{minimal}\n{complete}\n", encoding="utf-8")
    call_command("import_testimonies", str(path))
    assert Testimony.objects.count() == 2
    records = ConsentRecord.objects.count()

    # The complete line again: the same testimony, no consent record added.
    path.write_text(f"{complete}\n", encoding="utf-8")
    call_command("import_testimonies", str(path))
    assert Testimony.objects.count() == 2
    assert ConsentRecord.objects.count() == records
