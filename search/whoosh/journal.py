"""The rebuild journal: which documents other writers touched meanwhile.

A rebuild (search.whoosh.rebuild) prepares documents outside the index's write
lock, in worker processes, so that both cores work. A withdrawal that
commits after a worker read the testimony, and leaves the index before the
rebuild writes it, would be written back by the rebuild. To prevent it,
while a rebuild runs every other write appends the identifiers it wrote or
removed to this journal, under the write lock; the rebuild, under the same
lock, prepares again from the database every document of its batch named
in the journal after the batch was read. The journal exists only while a
rebuild is running or waits to be resumed.

Each entry is one os.write of whole lines to a file opened with O_APPEND:
a reader never sees half a line.
"""

import os
from pathlib import Path

JOURNAL_NAME = "rebuild.journal"
# Written by a write that may have touched any document.
JOURNAL_EVERYTHING = "*"
# Written by an erasure's purge: documents prepared before it must not stay
# on disk even marked deleted (search.whoosh.backends.purge_many).
JOURNAL_PURGED = "!purged"


def journal_path(index_path) -> Path:
    return Path(index_path) / JOURNAL_NAME


def journal_append(index_path, identifiers) -> None:
    """Record these identifiers if a rebuild is running. Call with the index's
    write lock held."""
    if not identifiers:
        return
    try:
        fd = os.open(journal_path(index_path), os.O_WRONLY | os.O_APPEND)
    except FileNotFoundError:
        return  # no rebuild running
    try:
        os.write(fd, "".join(f"{i}\n" for i in identifiers).encode())
    finally:
        os.close(fd)


def journal_start(index_path, *, keep: bool) -> None:
    """Create the journal (emptied unless `keep`). Call with the lock held."""
    path = journal_path(index_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab" if keep else "wb"):
        pass


def journal_offset(index_path) -> int:
    """Where entries written from now on will start."""
    try:
        return journal_path(index_path).stat().st_size
    except FileNotFoundError:
        return 0


def journal_since(index_path, offset: int) -> set[str]:
    """Identifiers recorded from `offset` on. Call with the lock held."""
    with open(journal_path(index_path), "rb") as journal:
        journal.seek(offset)
        return {line for line in journal.read().decode().splitlines() if line}


def journal_end(index_path) -> None:
    """Remove the journal: the rebuild is complete. Call with the lock held."""
    journal_path(index_path).unlink(missing_ok=True)
