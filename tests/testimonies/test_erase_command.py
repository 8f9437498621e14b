"""erase_testimony as an operator runs it, the importer facing an erased
testimony, and the whole chain on a real database file: nothing of the
erased text is left in the bytes of the SQLite file or the index folder."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from testimonies.models import Erasure, Testimony
from tests import factories
from tests.databases import sqlite_files
from tests.markers import committed_db

BASE_DIR = Path(settings.BASE_DIR)

PHRASE = "Periwinklegrotto saltmarrow drift"
PHRASE_AR = "شاهدنا زنبقستان البرتقالية قرب الجسر"
SUMMARY_AR = "ملخص عن قنطرةالياسمين المحترقة"

LINE = {
    "external_id": "erase-0001",
    "witness": {"name": "Ruqaya Thornbury", "gender": "female"},
    "language": "en",
    # Long enough to spill onto SQLite overflow pages (4 KiB pages).
    "narrative": " ".join([f"{PHRASE} number {n}." for n in range(200)]),
    "translations": {"ar": PHRASE_AR},
    "summary": SUMMARY_AR,
    "recorded_on": "2025-03-20",
    "communities": ["alawite"],
    "event_types": ["killing"],
    "status": "approved",
    "consent": {"archive": True, "researchers": True, "public": True,
                "method": "oral", "obtained_by": "documenter",
                "obtained_on": "2025-03-20"},
}  # fmt: skip


def pieces() -> dict[str, bytes]:
    """The erased text as it may sit in bytes: UTF-8, the \\u escapes of a
    JSON column, and single distinctive words (index terms)."""
    texts = {"en": PHRASE, "ar": PHRASE_AR, "summary-ar": SUMMARY_AR}
    found = {name: text.encode() for name, text in texts.items()}
    found |= {f"{n}-json": json.dumps(t)[1:-1].encode() for n, t in texts.items()}
    for word in ["periwinklegrotto", "saltmarrow", "زنبقستان", "قنطرةالياسمين"]:
        found[f"word:{word}"] = word.encode()
    found["witness"] = b"Thornbury"
    return found


def traces_in(*paths: Path) -> list[str]:
    """Which pieces are in any file under these paths (case-insensitive for
    the Latin ones: the index stores words folded)."""
    blob = b""
    for path in paths:
        files = [path] if path.is_file() else sorted(path.rglob("*"))
        blob += b"".join(f.read_bytes() for f in files if f.is_file())
    lowered = blob.lower()
    return sorted(n for n, piece in pieces().items() if piece.lower() in lowered)


def stored_texts(index_dir: Path) -> str:
    """Every text the index stores, decompressed, read as Whoosh reads it."""
    from whoosh.index import open_dir

    with open_dir(str(index_dir)).searcher() as searcher:
        return "\n".join(
            fields.get("text", "") for fields in searcher.all_stored_fields()
        )


@sqlite_files
@pytest.mark.slow
def test_erased_text_is_gone_from_the_database_file_and_the_index(
    tmp_path, migrated_database
):
    data = tmp_path / "data"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ARCHIVE_", "DATABASE_URL", "DJANGO_"))
    }
    env |= {
        "ARCHIVE_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "archive.settings.dev",
    }
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps(LINE, ensure_ascii=False) + "\n", encoding="utf-8")

    def manage(*args):
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    migrated_database(data)
    # The import, the rebuild, then what it reads back and its public id, in
    # one process (a Django start-up each); reading writes nothing.
    *_, read, public_id = manage(
        "shell", "-v", "0", "-c",
        "from django.core.management import call_command;"
        f"call_command('import_testimonies', {str(source)!r});"
        "call_command('rebuild_index', '--noinput', '--verbosity', '0');"
        "from testimonies.models import Testimony;"
        "t = Testimony.objects.get(external_id='erase-0001');"
        "from testimonies.vault.identity import identity_read;"
        "i = identity_read(witness=t.witness);"
        "print(t.narrative[:40] if t.sealed_content else '-', i.name if i else '-');"
        "print(t.public_id)",
    ).splitlines()  # fmt: skip
    assert read != "- -"
    database = data / "archive.sqlite3"
    index = data / "whoosh"
    files = [database, *data.glob("archive.sqlite3-*")]
    # The database file never holds the text in clear, even before: it is
    # sealed by the vault. The index holds its redacted words (the test can
    # fail there).
    assert traces_in(*files) == []
    # Whoosh compresses the stored text on disk, so the words are looked for
    # as bytes and the stored text through Whoosh itself.
    assert {"word:periwinklegrotto", "word:saltmarrow"} <= set(traces_in(index))
    assert PHRASE in stored_texts(index)
    backup = tmp_path / "backup.sqlite3"
    backup.write_bytes(database.read_bytes())

    out = manage("erase_testimony", public_id, "--reason", "asked", "--yes")
    assert "SHA-256" in out

    leftovers = [database, *data.glob("archive.sqlite3-*")]
    assert traces_in(*leftovers) == []
    assert traces_in(index) == []
    assert stored_texts(index) == ""
    # Crypto-shredding: a database backup taken before the erasure, restored,
    # still holds the sealed text and identity, and nothing opens them.
    erased_database = database.read_bytes()
    database.write_bytes(backup.read_bytes())
    opened = manage(
        "shell", "-c",
        "from testimonies.models import Testimony;"
        "from testimonies.vault.identity import identity_read;"
        "from testimonies.vault.sealing import VaultError;"
        "t = Testimony.objects.get(external_id='erase-0001');"
        "print('identity', identity_read(witness=t.witness));"
        "\ntry: t.narrative\nexcept VaultError: print('narrative sealed for good')",
    )  # fmt: skip
    assert "identity None" in opened and "narrative sealed for good" in opened
    database.write_bytes(erased_database)
    # And a later import of the same line does not bring it back.
    manage("import_testimonies", str(source))
    assert traces_in(database, *data.glob("archive.sqlite3-*"), index) == []


@pytest.mark.django_db
def test_erase_command_with_yes(capsys):
    testimony = factories.testimony()
    call_command("erase_testimony", testimony.public_id, "--reason", "asked", "--yes")
    erasure = Erasure.objects.get()
    assert erasure.testimony == testimony and erasure.erased_by is None
    assert erasure.erased_by_label == "erase_testimony command"
    assert erasure.content_sha256 in capsys.readouterr().out


@pytest.mark.django_db
def test_erase_command_asks_for_the_public_id(monkeypatch):
    testimony = factories.testimony()
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Not confirmed"):
        call_command("erase_testimony", testimony.public_id, "--reason", "asked")
    assert Testimony.objects.get(pk=testimony.pk).status == "approved"
    monkeypatch.setattr("builtins.input", lambda prompt: testimony.public_id)
    call_command("erase_testimony", testimony.public_id, "--reason", "a", "--by", "ops")
    assert Erasure.objects.get().erased_by_label == "ops"


@pytest.mark.django_db
def test_erase_command_refuses_unknown_erased_and_reasonless():
    testimony = factories.testimony()
    with pytest.raises(CommandError, match="No testimony"):
        call_command("erase_testimony", "nope", "--reason", "r", "--yes")
    with pytest.raises(CommandError, match="reason"):
        call_command("erase_testimony", testimony.public_id, "--reason", " ", "--yes")
    call_command("erase_testimony", testimony.public_id, "--reason", "r", "--yes")
    with pytest.raises(CommandError, match="already been erased"):
        call_command("erase_testimony", testimony.public_id, "--reason", "r", "--yes")
    assert Erasure.objects.count() == 1


@committed_db
def test_reimport_skips_an_erased_testimony_and_imports_the_rest(tmp_path, capsys):
    path = tmp_path / "two.jsonl"
    second = {**LINE, "external_id": "erase-0002", "narrative": "Another account."}
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in [LINE, second]) + "\n",
        encoding="utf-8",
    )
    call_command("import_testimonies", str(path))
    erased = Testimony.objects.get(external_id="erase-0001")
    call_command("erase_testimony", erased.public_id, "--reason", "r", "--yes")
    capsys.readouterr()

    call_command("import_testimonies", str(path))

    captured = capsys.readouterr()
    assert f"line 1: skipped: testimony {erased.public_id} was erased" in captured.err
    assert "0 testimonies created, 1 updated, 1 skipped (erased)." in captured.out
    erased.refresh_from_db()
    assert erased.status == "erased" and erased.narrative == ""
    assert not hasattr(erased.witness, "identity") or erased.witness.identity is None
    assert erased.consent_records.count() == 1
    assert not Testimony.objects.indexable().filter(pk=erased.pk).exists()
