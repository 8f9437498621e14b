"""A researcher exports a search from the search page, in a real browser:
the file holds the consented testimonies of that search and nothing else."""

import csv
import io
import json

from playwright.sync_api import expect

from tests import factories
from tests.markers import committed_db

pytestmark = committed_db


def test_a_researcher_downloads_the_search_as_json_and_csv(
    page, log_in, coast, researcher
):
    shared = factories.testimony(
        witness_name="Ayman Fares",
        narrative="Ayman Fares saw the looting in Banias.",
        places=[coast["banias"]],
        consent={"archive": True, "researchers": True},
    )
    public_only = factories.testimony(
        narrative="Banias account for the public report only.",
        places=[coast["banias"]],
        consent={"archive": True, "public": True},
    )
    log_in("researcher")
    page.goto("/search/?q=Banias")
    expect(page.locator("ol.results > li.result")).to_have_count(2)

    with page.expect_download() as download:
        page.get_by_role("link", name="JSON").click()
    assert download.value.suggested_filename.startswith("testimonies-")
    document = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert [r["id"] for r in document["results"]] == [shared.public_id]
    assert public_only.public_id not in json.dumps(document)
    assert document["query"] == {"q": "Banias"}

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV (spreadsheet)").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["id"] == shared.public_id
    assert "Ayman" not in text and "Fares" not in text
    assert (
        row["narrative"] == f"[{shared.witness.pseudonym}] saw the looting in Banias."
    )
