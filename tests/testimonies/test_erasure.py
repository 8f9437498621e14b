"""Erasure: a tombstone with the digest of what was erased, and no copy of
the narrative left in the database, the media folder or the search index."""

import datetime
import hashlib
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from haystack import connections
from whoosh.index import open_dir

from archive.models import AuditEntry
from testimonies.attachments.media_store import media_folder
from testimonies.consent.erasure_content import canonical_bytes, content_sha256
from testimonies.consent.services.consent import consent_record, consent_withdraw
from testimonies.consent.services.erasure import testimony_erase
from testimonies.consent.services.review import testimony_send_back
from testimonies.models import Erasure, Testimony, WitnessIdentity
from testimonies.vault.identity import identity_read, identity_store
from tests import factories
from tests.databases import ON_POSTGRESQL, database_dump
from tests.markers import committed_db

pytestmark = committed_db

# Words that occur nowhere else: if any byte of them survives, it is a copy.
PHRASE = "Quokkafeather lanternmoss overtide beside the harbour wall"
PHRASE_AR = "رأينا قنديلستان زعفرانية عند جدار الميناء"
SUMMARY = "Summary about plumbago-vireo sightings"


def erasable(**kwargs):
    return factories.testimony(
        narrative=f"I saw it. {PHRASE}.",
        translations={"ar": PHRASE_AR},
        **kwargs,
    )


def with_summary(testimony):
    testimony.summary = SUMMARY
    testimony.persons_named = ["Nizar Quokkafeather"]
    testimony.save()
    return testimony


def index_bytes() -> bytes:
    """What anyone opening the index files could read: their bytes, and the
    stored fields, which Whoosh keeps compressed, of every document in
    every segment, those marked deleted included."""
    folder = Path(settings.HAYSTACK_CONNECTIONS["default"]["PATH"])
    raw = b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())
    with open_dir(str(folder)).reader() as reader:
        for leaf, _offset in reader.leaf_readers():
            for docnum in range(leaf.doc_count_all()):
                stored = leaf.stored_fields(docnum)
                raw += "\n".join(map(str, stored.values())).encode()
    return raw


def indexed_words(text) -> list[bytes]:
    """The words of `text` as the index stores them (analysed: folded,
    stemmed), longer ones only: short ones occur in other documents."""
    backend = connections["default"].get_backend()
    backend.setup()
    analyzer = backend.index.schema["text"].analyzer
    return [t.text.encode() for t in analyzer(text) if len(t.text) >= 8]


def traces(blob: bytes) -> list[str]:
    """Which pieces of the erased text are in these bytes."""
    pieces = {
        "phrase": PHRASE.encode(),
        "phrase-ar": PHRASE_AR.encode(),
        # JSON columns (translations) store non-ASCII text as \u escapes.
        "phrase-ar-json": json.dumps(PHRASE_AR)[1:-1].encode(),
        "lanternmoss": b"lanternmoss",
        "quokkafeather": b"uokkafeather",
        "qandilistan": "قنديلستان".encode(),
        "summary": b"plumbago-vireo",
        **{f"term:{w.decode()}": w for w in indexed_words(f"{PHRASE} {PHRASE_AR}")},
    }
    return sorted(name for name, piece in pieces.items() if piece in blob)


def test_erasure_leaves_no_copy_in_any_table(moderator):
    testimony = with_summary(erasable())
    other = factories.testimony(narrative="Another account stays whole.")
    # The text is there, sealed: never in clear in any table, even before.
    assert PHRASE in testimony.narrative and testimony.sealed_content
    assert traces(database_dump().encode()) == []

    testimony_erase(
        testimony=testimony, reason="the witness asked", erased_by=moderator
    )

    assert traces(database_dump().encode()) == []
    assert Testimony.objects.get(pk=testimony.pk).sealed_content is None
    assert (
        Testimony.objects.get(pk=other.pk).narrative == "Another account stays whole."
    )


def test_erasure_removes_the_versions_kept_for_review_and_their_comments(
    moderator, documenter
):
    testimony = erasable(status="submitted", recorded_by=documenter)
    testimony_send_back(
        testimony=testimony,
        reviewer=moderator,
        comment="Take out 'lanternmoss overtide': it names the street.",
    )
    assert testimony.reviewed_versions.get().comment.startswith("Take out")

    erasure = testimony_erase(
        testimony=testimony, reason="the witness asked", erased_by=moderator
    )

    assert traces(database_dump().encode()) == []
    # The decision itself stays, as evidence that a review took place.
    assert testimony.reviews.count() == 1
    call_command("verify_audit")
    assert AuditEntry.objects.get(subject_id=str(erasure.pk)).action == "erased"


def test_erasure_leaves_no_copy_in_the_index_files(search_index):
    testimony = erasable()
    factories.testimony(narrative="Another account in Banias keeps the index busy.")
    before = traces(index_bytes())
    # The test can fail: the index did hold the text, as stored text and terms.
    assert "phrase" in before and "phrase-ar" in before
    assert any(name.startswith("term:") for name in before)

    testimony_erase(testimony=testimony, reason="threats", erased_by_label="test")

    assert traces(index_bytes()) == []
    backend = search_index
    backend.setup()
    with backend.index.refresh().searcher() as searcher:
        ids = {doc["id"] for doc in searcher.all_stored_fields()}
    assert f"testimonies.testimony.{testimony.pk}" not in ids and len(ids) == 1


def test_a_plain_removal_would_have_left_the_text_in_the_index(search_index):
    """Why erasure purges: Whoosh only marks a removed document deleted."""
    testimony = erasable()
    consent_withdraw(testimony=testimony, scopes=None, reason="afraid", obtained_by="x")
    assert "phrase" in traces(index_bytes())


def test_erasure_deletes_media_files_and_their_folder(moderator):
    testimony = erasable()
    folder = media_folder(testimony)
    (folder / "audio").mkdir(parents=True)
    (folder / "audio" / "interview.ogg").write_bytes(b"OggS" + PHRASE.encode())
    (folder / "transcript.txt").write_text(PHRASE_AR, encoding="utf-8")
    neighbour = factories.testimony()
    kept = media_folder(neighbour) / "photo.jpg"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"\xff\xd8 another testimony's photo")

    testimony_erase(testimony=testimony, reason="asked", erased_by=moderator)

    assert not folder.exists()
    media = Path(settings.MEDIA_ROOT)
    blob = b"".join(p.read_bytes() for p in media.rglob("*") if p.is_file())
    assert traces(blob) == []
    assert kept.read_bytes() == b"\xff\xd8 another testimony's photo"


def test_a_symbolic_link_in_the_media_folder_is_removed_not_followed(tmp_path):
    testimony = erasable()
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("not this testimony's")
    folder = media_folder(testimony)
    folder.mkdir(parents=True)
    (folder / "link.txt").symlink_to(outside)

    testimony_erase(testimony=testimony, reason="asked", erased_by_label="test")

    assert not folder.exists() and outside.read_text() == "not this testimony's"


def test_tombstone_keeps_the_digest_of_the_canonical_content(moderator, coast):
    testimony = with_summary(erasable(places=[coast["banias"]]))
    folder = media_folder(testimony)
    folder.mkdir(parents=True)
    (folder / "a.txt").write_bytes(b"media bytes")
    expected = {
        "version": 4,
        "public_id": testimony.public_id,
        "external_id": None,
        "recorded_on": "2025-04-01",
        "language": "en",
        "narrative": f"I saw it. {PHRASE}.",
        "summary": SUMMARY,
        "translations": {"ar": PHRASE_AR},
        "persons_named": ["Nizar Quokkafeather"],
        "redaction_marks": [],
        "redaction_decisions": [],
        "incident_start": "2025-03-07",
        "incident_end": "2025-03-09",
        "incident_precision": "day",
        "places": ["banias"],
        "communities": ["alawite"],
        "event_types": ["killing"],
        "reviewed_versions": [],
        "attachments": [],
        "media": [
            {
                "path": "a.txt",
                "size": 11,
                "sha256": hashlib.sha256(b"media bytes").hexdigest(),
            }
        ],
    }

    erasure = testimony_erase(testimony=testimony, reason="asked", erased_by=moderator)

    # Anyone holding a copy can rebuild the digest from this documented form.
    rebuilt = json.dumps(
        expected, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode()
    assert canonical_bytes(expected) == rebuilt
    assert erasure.content_sha256 == hashlib.sha256(rebuilt).hexdigest()
    assert erasure.content_sha256 == content_sha256(expected)
    assert (erasure.erased_by, erasure.reason) == (moderator, "asked")


def test_erased_testimony_keeps_only_what_the_tombstone_shows(moderator, coast):
    testimony = with_summary(erasable(places=[coast["banias"]]))
    testimony_erase(testimony=testimony, reason="asked", erased_by=moderator)
    testimony.refresh_from_db()
    assert testimony.status == "erased"
    assert (testimony.narrative, testimony.summary) == ("", "")
    assert (testimony.translations, testimony.persons_named) == ({}, [])
    assert testimony.incident_start is None and testimony.incident_end is None
    assert not testimony.places.exists() and not testimony.event_types.exists()
    assert not testimony.communities.exists()
    assert testimony.recorded_on == datetime.date(2025, 4, 1)
    assert testimony.erasure.content_sha256


def test_audit_records_the_erasure_by_id_and_digest_only(moderator):
    testimony = erasable()
    erasure = testimony_erase(testimony=testimony, reason="asked", erased_by=moderator)
    entry = AuditEntry.objects.get(action="erased")
    assert (entry.target, entry.actor) == (testimony.public_id, moderator)
    assert entry.detail == f"sha256={erasure.content_sha256}"


def test_identity_goes_with_the_last_testimony_of_the_witness(moderator):
    first = erasable(witness_name="Ghada Quokkafeather")
    second = factories.testimony(narrative="A second account by the same person.")
    second.witness = first.witness
    second.save()
    first.witness.key_digest = "d" * 64
    first.witness.save()

    testimony_erase(testimony=first, reason="asked", erased_by=moderator)
    assert identity_read(witness=first.witness) is not None

    testimony_erase(testimony=second, reason="asked", erased_by=moderator)
    assert identity_read(witness=first.witness) is None
    assert not WitnessIdentity.objects.filter(witness=first.witness).exists()
    first.witness.refresh_from_db()
    assert first.witness.key_digest is None
    assert "Ghada" not in database_dump()


def test_erasure_is_irreversible_and_final(moderator):
    testimony = erasable()
    testimony_erase(testimony=testimony, reason="asked", erased_by=moderator)
    with pytest.raises(ValidationError) as erased_twice:
        testimony_erase(testimony=testimony, reason="again", erased_by=moderator)
    assert erased_twice.value.code == "already_erased"
    assert Erasure.objects.count() == 1
    with pytest.raises(ValidationError):
        Erasure.objects.get().delete()
    with pytest.raises(ValidationError):
        consent_record(
            testimony=testimony,
            scopes={"archive": True, "public": True},
            method="oral",
            obtained_by="x",
            obtained_on=datetime.date(2025, 5, 1),
        )
    with pytest.raises(ValidationError):
        consent_withdraw(testimony=testimony, scopes=None, reason="r", obtained_by="x")
    # Writing text back by hand is refused by the model itself.
    testimony.refresh_from_db()
    testimony.narrative = "written back"
    with pytest.raises(ValidationError):
        testimony.full_clean()


def test_an_erased_status_set_by_hand_is_refused():
    testimony = erasable()
    testimony.status = "erased"
    with pytest.raises(ValidationError) as refused:
        testimony.full_clean()
    assert refused.value.error_dict["__all__"][0].code == "erase_by_service"


def test_erased_testimonies_are_never_indexed_again(search_index, moderator):
    testimony = erasable()
    testimony_erase(testimony=testimony, reason="asked", erased_by=moderator)
    identity_store(witness=testimony.witness, name="Someone Else")  # reindexes
    assert not Testimony.objects.indexable().filter(pk=testimony.pk).exists()
    assert traces(index_bytes()) == []
    call_command("rebuild_index", interactive=False, verbosity=0)
    with search_index.index.refresh().searcher() as searcher:
        assert searcher.doc_count() == 0


@pytest.mark.skipif(
    ON_POSTGRESQL,
    reason="SQLite's secure_delete pragma; PostgreSQL has no counterpart "
    "(docs/production.md, PostgreSQL: VACUUM and the vault's crypto-shredding)",
)
def test_sqlite_connections_overwrite_deleted_content():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1


def test_admin_shows_erasures_and_never_edits_or_deletes_a_testimony(
    moderator, client_for
):
    testimony = erasable()
    testimony_erase(testimony=testimony, reason="asked", erased_by=moderator)
    client = client_for(moderator)
    change = f"/admin/testimonies/testimony/{testimony.pk}/change/"
    page = client.get(change)
    assert page.status_code == 200 and 'name="narrative"' not in page.content.decode()
    client.post(change, {"narrative": "written back", "status": "approved"})
    testimony.refresh_from_db()
    assert (testimony.status, testimony.narrative) == ("erased", "")
    delete = client.post(
        f"/admin/testimonies/testimony/{testimony.pk}/delete/", {"post": "yes"}
    )
    assert delete.status_code == 403
    assert Testimony.objects.filter(pk=testimony.pk).exists()
    listing = client.get("/admin/testimonies/erasure/").content.decode()
    assert testimony.public_id in listing
