"""The identity vault: sealed identities and accounts, keys apart from the
database, key rotation, crypto-shredding, keyed pseudonyms."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from testimonies.models import Testimony, Witness, WitnessIdentity
from testimonies.vault import sealing as vault
from testimonies.vault.identity import identity_read, identity_store, witness_key_digest
from testimonies.witnesses.pseudonyms import pseudonym_derive, pseudonym_source
from tests import factories
from tests.databases import sqlite_files

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]
OTHER_KEY = "b3RoZXItdGVzdC12YXVsdC1tYXN0ZXIta2V5LTMyYnk="


def test_an_identity_reads_back_and_is_stored_only_sealed():
    witness = Witness.objects.create()
    identity_store(
        witness=witness,
        name="Ayman Fares",
        name_variants=["أيمن فارس"],
        contact="+963 944 000 111",
        birth_year=1979,
        gender="male",
    )
    identity = identity_read(witness=witness)
    assert (identity.name, identity.name_variants) == ("Ayman Fares", ("أيمن فارس",))
    assert (identity.contact, identity.birth_year) == ("+963 944 000 111", 1979)
    sealed = bytes(WitnessIdentity.objects.get(witness=witness).sealed)
    for clear in ["Ayman", "أيمن".encode(), "944 000", "1979"]:
        clear = clear if isinstance(clear, bytes) else clear.encode()
        assert clear not in sealed


def test_a_sealed_value_copied_to_another_witness_does_not_open():
    first, second = Witness.objects.create(), Witness.objects.create()
    identity_store(witness=first, name="Ali Haidar")
    identity_store(witness=second, name="Someone Else")
    stolen = WitnessIdentity.objects.get(witness=first).sealed
    WitnessIdentity.objects.filter(witness=second).update(sealed=stolen)
    assert identity_read(witness=second) is None
    with pytest.raises(vault.VaultError):
        vault.vault_open(witness_id=second.pk, purpose="identity", sealed=stolen)


def test_an_altered_ciphertext_does_not_open():
    witness = Witness.objects.create()
    sealed = bytearray(vault.vault_seal(witness_id=witness.pk, purpose="t", payload=1))
    sealed[-1] ^= 1
    with pytest.raises(vault.VaultError):
        vault.vault_open(witness_id=witness.pk, purpose="t", sealed=bytes(sealed))


def test_the_account_is_sealed_and_reads_back_through_the_model(coast):
    testimony = factories.testimony(
        narrative="Quillfeather saw the convoy.", places=[coast["banias"]]
    )
    testimony.translations = {"ar": "رأى كويلفذر القافلة."}
    testimony.save()
    again = Testimony.objects.get(pk=testimony.pk)
    assert again.narrative == "Quillfeather saw the convoy."
    assert again.translations == {"ar": "رأى كويلفذر القافلة."}
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM testimonies_testimony")
        rows = repr(cursor.fetchall())
    assert "Quillfeather" not in rows and "convoy" not in rows


def test_rotation_rewraps_every_key_and_the_old_key_opens_nothing(settings, capsys):
    testimony = factories.testimony(witness_name="Rania Salloum")
    witness = testimony.witness
    old_key = settings.VAULT_MASTER_KEY
    settings.VAULT_MASTER_KEY = OTHER_KEY
    settings.VAULT_PREVIOUS_MASTER_KEYS = [old_key]
    # Both keys configured: everything still reads, before and after.
    assert identity_read(witness=witness).name == "Rania Salloum"
    call_command("rotate_master_key")
    assert "re-wrapped" in capsys.readouterr().out
    settings.VAULT_PREVIOUS_MASTER_KEYS = []
    assert identity_read(witness=witness).name == "Rania Salloum"
    assert Testimony.objects.get(pk=testimony.pk).narrative == testimony.narrative
    assert set(vault.master_keys_in_use()) == {
        vault.master_key_id(vault._decode_master_key(OTHER_KEY))
    }
    # The old key alone no longer opens the rotated keys.
    settings.VAULT_MASTER_KEY = old_key
    assert identity_read(witness=witness) is None


def test_rotation_destroys_keys_of_witnesses_that_no_longer_exist(settings):
    orphan_id = 4242
    vault.vault_seal(witness_id=orphan_id, purpose="t", payload="x")
    call_command("rotate_master_key")
    with pytest.raises(vault.VaultError):
        vault.vault_open(
            witness_id=orphan_id,
            purpose="t",
            sealed=vault.vault_seal(witness_id=orphan_id + 1, purpose="t", payload=1),
        )
    assert not vault.data_key_destroy(witness_id=orphan_id)


def test_a_generated_master_key_is_32_random_bytes(capsys):
    call_command("rotate_master_key", "--generate")
    printed = capsys.readouterr().out.strip()
    assert len(vault._decode_master_key(printed)) == 32
    call_command("rotate_master_key", "--generate")
    assert capsys.readouterr().out.strip() != printed


# Pseudonyms


def test_pseudonyms_are_keyed_readable_and_stable(settings):
    first = pseudonym_derive("testimony:seed-0001")
    assert first == pseudonym_derive("testimony:seed-0001")
    assert first.startswith("W-") and len(first) == 8
    assert not set(first[2:]) & set("01OIL")
    settings.PSEUDONYM_KEY = "another secret"
    assert pseudonym_derive("testimony:seed-0001") != first


def test_reimporting_into_a_new_installation_keeps_the_pseudonyms(tmp_path, gazetteer):
    line = {
        "external_id": "vault-0001",
        "witness": {"name": "Nour Khalil"},
        "language": "en",
        "narrative": "I saw it from the roof.",
        "recorded_on": "2025-03-10",
        "places": ["Banias"],
        "consent": {"archive": True, "obtained_on": "2025-03-10", "method": "oral"},
    }
    keyed = {**line, "external_id": "vault-0002"}
    keyed["witness"] = {"name": "Samir", "witness_key": "doc-17"}
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(line) + "\n" + json.dumps(keyed) + "\n")
    call_command("import_testimonies", str(path))
    before = dict(Testimony.objects.values_list("external_id", "witness__pseudonym"))
    call_command("import_testimonies", str(path))
    after = dict(Testimony.objects.values_list("external_id", "witness__pseudonym"))
    assert before == after
    # Derived from the line and the secret alone: a new installation with the
    # same secret gives the same pseudonyms.
    assert before == {
        "vault-0001": pseudonym_derive(pseudonym_source(external_id="vault-0001")),
        "vault-0002": pseudonym_derive(
            pseudonym_source(key_digest=witness_key_digest("doc-17"))
        ),
    }


# The database file itself


@sqlite_files
@pytest.mark.slow
def test_the_database_file_holds_no_name_contact_or_birth_year(
    tmp_path, migrated_database
):
    """Read the SQLite file as bytes, as anyone holding a copy could."""
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVE_")}
    env |= {
        "ARCHIVE_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "archive.settings.dev",
    }
    line = {
        "external_id": "file-0001",
        "witness": {
            "name": "Zubaydah Qarnafil",
            "name_variants": ["زبيدة قرنفل"],
            "contact": "+963 933 271 845",
            "birth_year": 1937,
        },
        "language": "en",
        "narrative": "I am Zubaydah Qarnafil; they came at night.",
        "translations": {"ar": "أنا زبيدة قرنفل، جاؤوا ليلاً."},
        "recorded_on": "2025-03-10",
        "places": ["Banias"],
        "consent": {"archive": True, "obtained_on": "2025-03-10", "method": "oral"},
    }
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    migrated_database(data)
    for args in (
        ["load_gazetteer", "SY"],
        ["import_testimonies", str(source)],
    ):
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=REPO, env=env,
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    blob = b"".join(
        path.read_bytes() for path in data.glob("*.sqlite3*") if path.is_file()
    )
    assert b"\x00" in blob  # it did read the files
    for clear in ["Zubaydah", "Qarnafil", "زبيدة", "قرنفل", "933 271"]:
        assert clear.encode() not in blob, clear
        assert json.dumps(clear)[1:-1].encode() not in blob, clear
    # The year as a number of its own: inside a hex digest "1937" is chance.
    assert not re.search(rb"(?<![0-9a-fA-F])1937(?![0-9a-fA-F])", blob)
    assert b"birth_year" not in blob


def test_an_identity_never_prints_itself():
    """Error reports print local variables: an Identity there names no one."""
    witness = Witness.objects.create()
    identity_store(witness=witness, name="Rasha Tannous", contact="+963 11 555")
    printed = repr(identity_read(witness=witness))
    assert "Rasha" not in printed and "555" not in printed


# The key store connection a process keeps for reading data keys ------------


def test_data_keys_are_read_through_one_kept_connection():
    witness = Witness.objects.create()
    identity_store(witness=witness, name="Layla Haddad")
    identity_read(witness=witness)
    kept = vault._keystore_read._kept[3]
    for _ in range(3):
        assert identity_read(witness=witness).name == "Layla Haddad"
    assert vault._keystore_read._kept[3] is kept


@pytest.mark.slow
def test_a_key_destroyed_by_another_process_no_longer_opens_at_the_next_read(
    settings,
):
    witness = Witness.objects.create()
    identity_store(witness=witness, name="Layla Haddad")
    assert identity_read(witness=witness).name == "Layla Haddad"
    # Another process shreds the key (an erasure), with its own connection.
    destroyed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('DELETE FROM data_key WHERE witness_id = ?', (sys.argv[2],))\n",
            str(settings.VAULT_KEYSTORE_PATH),
            str(witness.pk),
        ],
        check=True,
    )
    assert destroyed.returncode == 0
    with pytest.raises(vault.VaultError):
        vault.vault_open_bytes(
            witness_id=witness.pk,
            purpose="identity",
            sealed=WitnessIdentity.objects.get(witness=witness).sealed,
        )


def test_a_key_store_put_in_place_by_a_restore_is_the_one_read(settings, tmp_path):
    witness = Witness.objects.create()
    identity_store(witness=witness, name="Layla Haddad")
    sealed = WitnessIdentity.objects.get(witness=witness).sealed
    copy = tmp_path / "restored-keys.sqlite3"
    vault.keystore_snapshot(destination=copy)
    vault.keystore_prune(path=copy, keep_witness_ids=set())
    # Read once: the kept connection is open on the key store being replaced.
    vault.vault_open_bytes(witness_id=witness.pk, purpose="identity", sealed=sealed)
    vault.keystore_install(source=copy)
    # The key store in place holds no key for the witness: nothing opens, as
    # a fresh process would find (the replaced file's key is not read).
    with pytest.raises(vault.VaultError):
        vault.vault_open_bytes(witness_id=witness.pk, purpose="identity", sealed=sealed)
