"""Marks reach every place redacted text goes: the search index (a real
Whoosh index), the API's excerpts and the exports, as soon as they are
saved, and leave them as soon as they are removed."""

import json

import pytest

from testimonies.redaction.marking import redaction_marks_set
from tests import factories
from tests.markers import committed_db

pytestmark = committed_db


def document_text(testimony):
    from haystack import connections

    backend = connections["default"].get_backend()
    backend.setup()
    with backend.index.refresh().searcher() as searcher:
        for doc in searcher.all_stored_fields():
            if doc["id"] == f"testimonies.testimony.{testimony.pk}":
                return doc["text"]
    return None


@pytest.fixture
def approved(moderator):
    return factories.testimony(
        narrative="Abu Samer drove the gunmen to the bakery in Banias.",
        translations={"ar": "قاد أبو سامر المسلحين إلى الفرن."},
        consent={"archive": True, "researchers": True, "public": True},
    )


def excerpt(client_for, user, query):
    answer = client_for(user).get("/api/search/", {"q": query}).json()
    (result,) = answer["results"]
    return result["excerpt"]


def test_adding_and_removing_a_mark_rewrites_the_index_document(
    approved, moderator, client_for, anonymous
):
    assert "Abu Samer" in document_text(approved)
    client = client_for(moderator)
    client.post(
        f"/moderation/{approved.public_id}/",
        {"save_marks": "1", "marks-add": "Abu Samer", "marks-person": ""},
    )
    client.post(
        f"/moderation/{approved.public_id}/",
        {"save_marks": "1", "marks-add": "أبو سامر", "marks-person": "1"},
    )
    text = document_text(approved)
    assert "Samer" not in text and "سامر" not in text
    assert "[person 1]" in text and "[شخص 1]" in text
    assert "Samer" not in excerpt(client_for, anonymous, "bakery")
    # (the excerpt may start inside the placeholder: whoosh cuts at words)
    assert "person 1]" in excerpt(client_for, anonymous, "bakery")
    # Nor can the marked words be searched for.
    answer = client_for(anonymous).get("/api/search/", {"q": "Samer"}).json()
    assert answer["count"] == 0

    client = client_for(moderator)
    client.post(
        f"/moderation/{approved.public_id}/",
        {"save_marks": "1", "marks-remove": ["Abu Samer", "أبو سامر"]},
    )
    approved.refresh_from_db()
    assert approved.redaction_marks == []
    assert "Abu Samer" in document_text(approved)
    assert "Abu Samer" in excerpt(client_for, anonymous, "bakery")


def test_exports_use_the_marks(approved, moderator, researcher, client_for):
    redaction_marks_set(
        testimony=approved,
        marks=[{"spellings": ["Abu Samer", "أبو سامر"], "person": None}],
        user=moderator,
    )
    client = client_for(researcher)
    for fmt in ("csv", "json"):
        response = client.get(f"/search/export.{fmt}", {"q": "bakery"})
        assert response.status_code == 200
        body = response.content.decode("utf-8-sig")
        assert "Samer" not in body and "سامر" not in body
        assert "[person 1]" in body
    (row,) = json.loads(client.get("/search/export.json", {"q": "bakery"}).content)[
        "results"
    ]
    assert row["id"] == approved.public_id
