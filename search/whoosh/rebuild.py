"""Rebuilding the search index on every core, resumably.

Worker processes read testimonies from the database and prepare their
documents (decrypting, redacting, rendering: the costly part) batch by
batch; the parent writes each batch in one commit under the index's write
lock, which it holds only for that. Other writers keep working meanwhile:
what they touch after a batch was read is named in the rebuild journal
(search.whoosh.journal) and prepared again from the database under the lock, so a
testimony withdrawn during a rebuild never comes back.

Each batch becomes one segment of the index, committed without merging:
batches are large (up to SEGMENT_DOCUMENTS testimonies, read from the
database READ_SIZE at a time) and as many as the workers, so that the
rebuilt index has a few segments of similar size and nothing is rewritten
by merges, which Whoosh does in one process (small batches merged again
and again cost more than half of a 100,000-testimony rebuild).

After each commit the last testimony written is recorded in a checkpoint
beside the index: an interrupted rebuild continues from there with
`--resume` and ends with the index a full rebuild would have made (changes
made in between reached the index through the ordinary updates).
"""

import json
import math
import multiprocessing
import os
import shutil
import sys
import time
from pathlib import Path

from django.db import connections as db_connections
from haystack import connections
from haystack.constants import ID
from whoosh import query as whoosh_query
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import NO_MERGE, SegmentWriter

from search.documents import documents_prepare
from search.engine import NothingToResume, RebuildOutcome
from search.whoosh.journal import (
    JOURNAL_EVERYTHING,
    JOURNAL_PURGED,
    journal_end,
    journal_offset,
    journal_since,
    journal_start,
)
from testimonies.models import Testimony

CHECKPOINT_NAME = "rebuild.checkpoint"
SEGMENT_DOCUMENTS = 10_000
READ_SIZE = 500
# Memory for a worker's postings pool: a segment's postings (about 400 MB
# for 10,000 testimonies) then sort in memory instead of spilling to temp
# files and merging them back, a third of the indexing time. Each worker
# peaks near 600 MB.
POOL_MB = 512


def _testimony_index():
    return connections["default"].get_unified_index().get_index(Testimony)


def _checkpoint_path(backend) -> Path:
    return Path(backend.path) / CHECKPOINT_NAME


_prepared = None  # in a worker: the shared count of testimonies read


def _worker_start(prepared=None):
    global _prepared
    _prepared = prepared
    # A forked worker opens its own database connections.
    db_connections.close_all()


def _prepare_batch(job):
    """In a worker: read one batch of testimonies (after taking the journal
    offset), READ_SIZE at a time, prepare their documents and index them
    into one new Whoosh segment in the staging folder. Returns what the
    parent needs to add that segment to the index."""
    path, staging, pks = job
    offset = journal_offset(path)
    index = _testimony_index()
    backend = connections["default"].get_backend()
    writer = _StagingWriter(
        FileStorage(staging).open_index(), _lk=False, limitmb=POOL_MB
    )
    written = 0
    try:
        for start in range(0, len(pks), READ_SIZE):
            part = pks[start : start + READ_SIZE]
            documents = documents_prepare(
                index, index.index_queryset().filter(pk__in=part)
            )
            for document in documents.values():
                writer.add_document(**backend.whoosh_fields(document))
            written += len(documents)
            if _prepared is not None:
                with _prepared.get_lock():
                    _prepared.value += len(part)
        if not written:
            writer.cancel()
            return offset, pks, None
        segment = writer._finalize_segment()
    except BaseException:
        writer.cancel()
        raise
    return offset, pks, segment


# No one waits for a rebuild: when saves and withdrawals keep the lock busy
# (withdrawals go first), it waits for its turn rather than fail halfway.
REBUILD_LOCK_TIMEOUT = 300.0


def _rebuild_lock_timeout(backend) -> float:
    return max(backend.write_lock_timeout, REBUILD_LOCK_TIMEOUT)


def _write_batch(backend, index, staging, offset, pks, segment) -> int:
    """Under the write lock: replace every document of the batch by those of
    its staged segment, then prepare again from the database those the
    journal names since `offset`."""
    label = index.get_model()._meta.label_lower
    writer = backend._writer(lock_timeout=_rebuild_lock_timeout(backend))
    try:
        ids = [f"{label}.{pk}" for pk in pks]
        writer.delete_by_query(whoosh_query.Or([whoosh_query.Term(ID, i) for i in ids]))
        count = 0
        if segment is not None:
            prefix = segment.segment_id()
            for name in os.listdir(staging):
                if name.startswith(prefix):
                    os.replace(Path(staging) / name, Path(backend.path) / name)
            writer.segments.append(segment)
            writer._setup_doc_offsets()
            count = segment.doc_count()
        touched = journal_since(backend.path, offset)
        if JOURNAL_EVERYTHING in touched:
            again = list(pks)
        else:
            again = [pk for pk, i in zip(pks, ids, strict=True) if i in touched]
        if again:
            backend.write_fresh(writer, index, again)
    except BaseException:
        writer.cancel()
        raise
    if again and JOURNAL_PURGED in touched:
        # A testimony of this segment was erased after it was prepared: it
        # is marked deleted above, and only a full merge takes its text out
        # of the segment's files.
        writer.commit(optimize=True)
    else:
        writer.commit(mergetype=NO_MERGE)
    return count


class _StagingWriter(SegmentWriter):
    """A segment writer that, when it writes the postings, remembers which
    fields have no length column: Whoosh 2.7 looks for the file again (a
    stat) for every posting of such a field, a third of the indexing time."""

    def per_document_reader(self):
        reader = super().per_document_reader()
        lookup, missing = reader._cached_reader, set()

        def cached_reader(fieldname, column):
            if fieldname in missing:
                return None
            found = lookup(fieldname, column)
            if found is None:
                missing.add(fieldname)
            return found

        reader._cached_reader = cached_reader
        return reader


class _Progress:
    """A plain progress line on stderr."""

    def __init__(self, total: int, stream=sys.stderr, enabled=True):
        self.total, self.done, self.stream, self.enabled = total, 0, stream, enabled
        self.started = time.monotonic()

    def advance(self, n: int):
        self.show(self.done + n)

    def show(self, done: int):
        self.done = done
        if not self.enabled:
            return
        elapsed = max(time.monotonic() - self.started, 1e-9)
        share = self.done / self.total if self.total else 1
        bar = "#" * int(share * 30)
        self.stream.write(
            f"\r[{bar:<30}] {self.done}/{self.total} testimonies "
            f"{self.done / elapsed:.0f}/s"
        )
        self.stream.flush()

    def close(self):
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def index_rebuild(
    *,
    resume: bool = False,
    batch_size: int | None = None,
    workers: int = 2,
    progress: bool = True,
    stop_after_batches: int | None = None,
) -> RebuildOutcome:
    """Rebuild the Whoosh index from the database (see the module's
    docstring). `resume` continues an interrupted rebuild from its
    checkpoint (NothingToResume without one). `stop_after_batches` stops
    after that many batches as an interruption would (for tests)."""
    backend = connections["default"].get_backend()
    backend.setup()
    index = _testimony_index()
    checkpoint = _checkpoint_path(backend)
    started = time.monotonic()
    if resume:
        if not checkpoint.exists():
            raise NothingToResume
        after = json.loads(checkpoint.read_text())["last_pk"]
        writer = backend._writer(lock_timeout=_rebuild_lock_timeout(backend))
        journal_start(backend.path, keep=True)
        writer.cancel()
    else:
        backend.clear()
        after = None
        writer = backend._writer(lock_timeout=_rebuild_lock_timeout(backend))
        journal_start(backend.path, keep=False)
        _checkpoint_write(checkpoint, None)
        writer.cancel()
    pks = index.index_queryset().order_by("pk").values_list("pk", flat=True)
    if after is not None:
        pks = pks.filter(pk__gt=after)
    pks = list(pks)
    batch_size = batch_size or _batch_size(len(pks), workers)
    batches = [pks[i : i + batch_size] for i in range(0, len(pks), batch_size)]
    complete = stop_after_batches is None or stop_after_batches >= len(batches)
    if not complete:
        batches = batches[:stop_after_batches]
    bar = _Progress(len(pks), enabled=progress)
    written = 0
    staging = _staging_create(backend)
    jobs = [(backend.path, str(staging), batch) for batch in batches]
    db_connections.close_all()  # not to be inherited by the workers
    if workers > 1 and len(jobs) > 1:
        context = multiprocessing.get_context("fork")
        prepared = context.Value("q", 0)
        with context.Pool(workers, _worker_start, (prepared,)) as pool:
            results = pool.imap(_prepare_batch, jobs)
            while True:
                try:
                    offset, batch, segment = results.next(timeout=0.5)
                except multiprocessing.TimeoutError:
                    bar.show(prepared.value)
                    continue
                except StopIteration:
                    break
                written += _write_batch(backend, index, staging, offset, batch, segment)
                _checkpoint_write(checkpoint, batch[-1])
                bar.show(prepared.value)
    else:
        for job in jobs:
            offset, batch, segment = _prepare_batch(job)
            written += _write_batch(backend, index, staging, offset, batch, segment)
            _checkpoint_write(checkpoint, batch[-1])
            bar.advance(len(batch))
    bar.close()
    shutil.rmtree(staging, ignore_errors=True)
    if complete:
        writer = backend._writer(lock_timeout=_rebuild_lock_timeout(backend))
        journal_end(backend.path)
        checkpoint.unlink(missing_ok=True)
        writer.cancel()
    return RebuildOutcome(
        written=written, batches=len(batches), seconds=time.monotonic() - started
    )


def _batch_size(count: int, workers: int) -> int:
    """Testimonies per batch (per segment): a multiple of `workers` batches
    of at most SEGMENT_DOCUMENTS, all of about the same size, so that every
    worker has work until the end."""
    batches = workers * max(1, math.ceil(count / (workers * SEGMENT_DOCUMENTS)))
    return max(1, math.ceil(count / batches))


def _staging_create(backend) -> Path:
    """An empty index of the same schema beside the index (same file
    system: its segments are moved in by renaming). Workers write their
    segments there, never in the index's folder, where another writer's
    commit would delete them as unused files."""
    staging = Path(f"{backend.path.rstrip(os.sep)}.rebuild-staging")
    shutil.rmtree(staging, ignore_errors=True)
    FileStorage(str(staging)).create().create_index(backend.schema)
    return staging


def _checkpoint_write(path: Path, last_pk):
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"last_pk": last_pk}))
    temporary.replace(path)
