"""Collecting the data keys that no witness uses.

A key is written in the same unit of work as the rows it opens
(vault.keys_unit_of_work), but a process killed in the instant between the
key store's commit and the database's, or a transaction rolled back around
a finished unit, leaves keys behind. They open nothing anyone keeps, but
they grow without bound and go into every backup: `manage.py vault_gc`
reports them and removes them.
"""

from dataclasses import dataclass

from django.db import connection, transaction

from testimonies.models import Witness
from testimonies.vault import sealing as vault


@dataclass(frozen=True)
class KeyCollection:
    keys: int  # data keys in the key store before
    referenced: int  # of them, keys of witnesses in the database
    unreferenced: tuple[int, ...]  # witness ids of the others
    removed: int  # destroyed now (0 when only reported)


# How long collecting waits for a transaction writing keys (an import)
# to end, on SQLite, before giving up with nothing destroyed.
WAIT_SECONDS = 300


def vault_keys_collect(*, remove: bool) -> KeyCollection:
    """The data keys of witnesses the database does not hold, destroyed
    when `remove`.

    A concurrent import must never lose a key: its witnesses may not be
    committed yet while their keys already are. So this waits, under
    vault.keys_collection_lock, until no transaction that may have written
    keys is open, and keeps new ones from being written until it is done;
    only then are the witnesses read and compared with the key store."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {WAIT_SECONDS * 1000:d}")
    with transaction.atomic():
        return _collect(remove=remove)


def _collect(*, remove: bool) -> KeyCollection:
    vault.keys_collection_lock()
    witnesses = set(Witness.objects.values_list("pk", flat=True))
    keys = vault.keystore_witness_ids()
    unreferenced = tuple(sorted(keys - witnesses))
    removed = 0
    if remove and unreferenced:
        removed = vault.data_keys_destroy(witness_ids=unreferenced)
    return KeyCollection(
        keys=len(keys),
        referenced=len(keys & witnesses),
        unreferenced=unreferenced,
        removed=removed,
    )
