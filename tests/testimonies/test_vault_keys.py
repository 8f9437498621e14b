"""Data keys are written in the same unit of work as the rows they open,
and `manage.py vault_gc` reports and removes the keys nobody uses, without
ever taking one that a committed (or committing) row needs."""

import io
import json
import signal
import sqlite3
import time
from contextlib import closing

import pytest
from django.core.management import call_command
from django.db import transaction

from testimonies.models import Witness
from testimonies.vault import sealing as vault
from testimonies.vault.identity import identity_read, identity_store
from tests.installation import Installation
from tests.markers import committed_db
from tests.testimonies.test_import import line

# The first tests write through this process's database; the last ones run
# commands in an installation of their own, and touch no database of the
# suite's (so the PostgreSQL run leaves them to the SQLite run).


@pytest.fixture(autouse=True)
def own_keystore(settings, tmp_path):
    """A key store of this test's own: others' keys are not counted."""
    settings.VAULT_KEYSTORE_PATH = tmp_path / "vault-keys.sqlite3"


def new_witness(name="Layla Haddad"):
    witness = Witness.objects.create()
    identity_store(witness=witness, name=name)
    return witness


def gc(*args) -> str:
    out = io.StringIO()
    call_command("vault_gc", *args, stdout=out)
    return out.getvalue()


class Interrupted(Exception):
    pass


@committed_db
def test_a_unit_of_work_that_fails_leaves_no_key():
    with pytest.raises(Interrupted), vault.keys_unit_of_work():
        witness = new_witness()
        # Sealed and readable inside the unit, from its pending key...
        assert identity_read(witness=witness).name == "Layla Haddad"
        raise Interrupted  # ...a failure (or a kill) before the commit
    assert vault.keystore_witness_ids() == set()
    assert not Witness.objects.exists()


@committed_db
def test_keys_reach_the_key_store_only_as_the_unit_commits():
    with vault.keys_unit_of_work():
        witness = new_witness()
        assert vault.keystore_witness_ids() == set()  # not yet
    assert vault.keystore_witness_ids() == {witness.pk}
    assert identity_read(witness=witness).name == "Layla Haddad"


@committed_db
def test_vault_gc_reports_first_then_removes_only_unreferenced_keys():
    kept = [new_witness(name=f"Kept Witness {n}") for n in range(3)]
    # A transaction rolled back around writes made without a unit of work:
    # its keys were written at once and open nothing any more.
    with pytest.raises(Interrupted), transaction.atomic():
        for n in range(2):
            new_witness(name=f"Lost Witness {n}")
        raise Interrupted
    assert len(vault.keystore_witness_ids()) == 5

    report = gc("--dry-run")
    assert "5 data keys in the key store, 3 of witnesses in the database" in report
    assert "2 unreferenced" in report and "2 would be destroyed" in report
    assert len(vault.keystore_witness_ids()) == 5  # a report changes nothing

    assert "2 destroyed." in gc()
    assert vault.keystore_witness_ids() == {w.pk for w in kept}
    for witness in kept:
        assert identity_read(witness=witness).name.startswith("Kept Witness")
    assert "0 unreferenced" in gc("--dry-run")


@committed_db
def test_rotating_the_master_key_collects_unused_keys_the_same_way(settings):
    kept = new_witness()
    with pytest.raises(Interrupted), transaction.atomic():
        new_witness(name="Lost Witness")
        raise Interrupted
    settings.VAULT_PREVIOUS_MASTER_KEYS = [settings.VAULT_MASTER_KEY]
    settings.VAULT_MASTER_KEY = vault.master_key_generate()
    out = io.StringIO()
    call_command("rotate_master_key", stdout=out)
    assert "1 data keys re-wrapped" in out.getvalue()
    assert "1 orphaned keys destroyed" in out.getvalue()
    settings.VAULT_PREVIOUS_MASTER_KEYS = []
    assert identity_read(witness=kept).name == "Layla Haddad"


# Real processes: imports killed with SIGKILL, and vault_gc run while an
# import writes, on an installation of their own.


def import_file(path, count):
    path.write_text(
        "\n".join(
            line(
                external_id=f"kill-{n}",
                witness={"name": f"Imported Witness {n}", "witness_key": f"k{n}"},
            )
            for n in range(count)
        )
        + "\n",
        encoding="utf-8",
    )
    assert json.loads(path.read_text().splitlines()[0])["external_id"] == "kill-0"
    return str(path)


@pytest.fixture(scope="module")
def site(prepared_installation):
    with Installation(serve=False, prepared=prepared_installation) as installation:
        yield installation


def recovered(site):
    """Open both databases as the next process would: SQLite rolls back what
    a killed writer left in its journal (a batch spills pages to the file
    before its commit) on the first read-write open, which a read-only
    bystander cannot do."""
    for database in ("archive.sqlite3", "vault-keys.sqlite3"):
        with closing(sqlite3.connect(site.data_dir / database)) as db:
            db.execute("SELECT count(*) FROM sqlite_master").fetchall()


def keys_and_witnesses(site):
    keys = {
        row[0]
        for row in site.query(
            "SELECT witness_id FROM data_key", database="vault-keys.sqlite3"
        )
    }
    witnesses = {row[0] for row in site.query("SELECT id FROM testimonies_witness")}
    return keys, witnesses


# Lines enough that an import is still writing when it is killed: new
# testimonies are written in batches, and 400 lines can commit in a second.
KILLED_IMPORT_LINES = 4000


@pytest.mark.slow
def test_imports_killed_midway_leave_no_key_behind(site, tmp_path):
    path = import_file(tmp_path / "import.jsonl", KILLED_IMPORT_LINES)
    before = keys_and_witnesses(site)
    for delay in (1.0, 2.0, 3.0):
        command = site.manage("import_testimonies", path)
        time.sleep(delay)
        assert command.poll() is None, "the import ended before it was killed"
        command.send_signal(signal.SIGKILL)
        command.wait(timeout=30)
        recovered(site)
        assert keys_and_witnesses(site) == before
    report = site.manage("vault_gc", "--dry-run").communicate(timeout=60)[0]
    assert b" 0 unreferenced." in report


# vault_gc again and again in one process, until the stop file exists: a
# new process per collection spent its start-up on the cores the import
# needs (twice as long an import, a third of the collections). Each
# collection is a transaction of its own, as a run of the command is; a
# collection that fails ends the process with its error. Once stopped, it
# counts the witnesses whose identity it can open, in a process of the
# installation's that has opened none before (a start-up fewer than a
# process of its own for it).
COLLECTING = """
import io, os, time
from django.core.management import call_command
from testimonies.models import Witness
from testimonies.vault.identity import identity_read
while not os.path.exists(os.environ["GC_STOP"]):
    call_command("vault_gc", stdout=io.StringIO())
    print("collected", flush=True)
    time.sleep(0.2)
opened = sum(identity_read(witness=w) is not None for w in Witness.objects.all())
print("opened", opened)
"""


# Two of the import's batches (testimonies.imports.services.BATCH), each a
# unit of work whose keys exist before its rows commit: collections run
# during both.
RACED_IMPORT_LINES = 1000


@pytest.mark.slow
def test_vault_gc_never_takes_the_key_of_an_import_under_way(site, tmp_path):
    path = import_file(tmp_path / "import.jsonl", RACED_IMPORT_LINES)
    stop = tmp_path / "stop-collecting"
    collector = site.manage(
        "shell", "-v", "0", "-c", COLLECTING, env={"GC_STOP": str(stop)}
    )
    # The import starts once the collector has collected (it is running).
    first = collector.stdout.readline()
    if first != b"collected\n":
        collector.kill()
        pytest.fail(f"no collection: {first!r} {collector.communicate()[1]!r}")
    command = site.manage("import_testimonies", path)
    import_err = command.communicate(timeout=600)[1]
    stop.touch()
    out, err = collector.communicate(timeout=600)
    assert collector.returncode == 0, err
    assert command.returncode == 0, import_err
    # Collections that began while the import ran (the last may have ended
    # after it).
    assert out.count(b"collected") >= 2
    keys, witnesses = keys_and_witnesses(site)
    assert witnesses <= keys  # every witness can still be read
    assert len(witnesses) >= RACED_IMPORT_LINES
    opened = out.split()[-2:]
    assert opened == [b"opened", str(len(witnesses)).encode()]
