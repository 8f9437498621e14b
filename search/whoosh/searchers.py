"""One Whoosh searcher per process, refreshed only when the index changed.

Opening a searcher reads every segment's files; doing it for each query
(as stock haystack does, twice) costs more than the search itself. Here a
process keeps one searcher per index directory and checks, before every
search, whether another process committed since it was opened: a cheap
listing of the index directory and a stat of its table of contents. Any
commit (an update, a withdrawal's removal, a clear, a recreated index)
writes a new table of contents, so the very next search in every process
sees it: a withdrawn testimony is never answered from a stale searcher.

Whoosh readers are not safe to share between threads (they seek and read
shared file objects), so a search holds the shared searcher's lock while it
runs and while its page of stored fields is read. Searches are pure Python
under the GIL: taking turns costs gunicorn threads next to nothing.

Caches live with the searcher:
- the documents matching each filter query (the role filter, a facet
  value), valid until the searcher is refreshed;
- for each faceted field, the values of every document of each segment,
  which Whoosh would otherwise rebuild from the postings at every search;
- for each faceted field, the documents holding each value as a bitmap (a
  Python int, bit n for document n), so that a facet is counted with one
  AND and one popcount per value, in C, rather than match by match;
- each segment's field lengths, as the part of a score that depends on the
  document alone, which scoring reads for every match (search.whoosh.ranking).
Segments never change once written (a deletion only hides documents), so
what is read per segment is kept across refreshes and dropped with it;
what spans the whole index (document numbers shift when segments merge) is
rebuilt from the segments' parts when the searcher is refreshed.
"""

import os
import threading
from bisect import bisect_right
from collections import OrderedDict
from contextlib import contextmanager

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.sorting import Count, FieldFacet, OverlappingCategorizer

# Opening the latest version of the index, while other processes commit.
_OPEN_ATTEMPTS = 5
# Bounds on the filter cache: entries, and document numbers held in all.
_FILTER_ENTRIES = 32
_FILTER_DOCS = 2_000_000

_registry: dict[str, "SharedSearcher"] = {}
_registry_lock = threading.Lock()


def shared_searcher(path: str) -> "SharedSearcher":
    """The process's searcher holder for the index in `path`."""
    path = os.path.abspath(path)
    with _registry_lock:
        holder = _registry.get(path)
        if holder is None:
            holder = _registry[path] = SharedSearcher(path)
        return holder


def _toc_stamp(storage: FileStorage, indexname: str, generation: int):
    """What identifies one version of the index: its generation, and the
    table-of-contents file itself (a recreated index restarts at
    generation 0 and can reach the same number again)."""
    try:
        stat = os.stat(
            os.path.join(storage.folder, TOC._filename(indexname, generation))
        )
    except FileNotFoundError:
        return None
    return (generation, stat.st_ino, stat.st_mtime_ns, stat.st_size)


def _segment_ids(searcher) -> set:
    """The ids of the segments an open searcher reads."""
    segments = (
        getattr(leaf, "segment", lambda: None)()
        for leaf, _offset in searcher.reader().leaf_readers()
    )
    return {segment.segment_id() for segment in segments if segment is not None}


class SharedSearcher:
    def __init__(self, path: str):
        self.path = path
        self.lock = threading.RLock()
        self._index = None
        self._searcher = None
        self._stamp = None
        self._filters: OrderedDict = OrderedDict()
        self._filter_docs = 0
        self.facet_lists: dict = {}
        self._segment_bitmaps: dict = {}
        self._segment_lengths: dict = {}
        self._value_bitmaps: dict = {}
        self._content_types = None

    @contextmanager
    def searching(self, open_index):
        """The up-to-date searcher, for use inside the block only.
        `open_index()` opens the index when there is none yet."""
        with self.lock:
            yield self._fresh(open_index)

    @property
    def stamp(self):
        """The version of the index the searcher reads (None: not trusted
        as the latest); read with the lock held, after searching()."""
        return self._stamp

    def _latest_stamp(self):
        index = self._index
        generation = index.latest_generation()
        return _toc_stamp(index.storage, index.indexname, generation)

    def _fresh(self, open_index):
        if self._searcher is not None:
            try:
                if self._latest_stamp() == self._stamp:
                    return self._searcher
            except OSError:
                pass  # the folder was removed or replaced: open afresh
        return self._reopen(open_index)

    def _reopen(self, open_index):
        """Open the index's latest version. Other processes commit at any
        moment, and each commit deletes the previous table of contents and
        any segment it merged away: what this process just listed may be
        gone by the time it is read. Such an attempt is made again; after
        the last attempt the searcher opened is kept (open, and valid for
        the version it read) but not trusted as current, so the next search
        looks again."""
        searcher = stamp = None
        for attempt in range(_OPEN_ATTEMPTS):
            last = attempt == _OPEN_ATTEMPTS - 1
            try:
                index = open_index()
                generation = index.latest_generation()
                stamp = _toc_stamp(index.storage, index.indexname, generation)
                searcher = index.searcher()
            except FileNotFoundError:
                if last:
                    raise
                continue  # a file listed a moment ago was deleted: again
            if stamp is not None and searcher.reader().generation() == generation:
                break
            if last:
                stamp = None  # never trusted: checked again at the next search
                break
            searcher.close()  # a commit in between: read it again
        old = self._searcher
        self._index, self._searcher, self._stamp = index, searcher, stamp
        if old is not None:
            old.close()
        self._filters.clear()
        self._filter_docs = 0
        self._value_bitmaps = {}
        self._content_types = None
        # The segments this searcher reads, from the searcher itself: the
        # table of contents it was opened from may already be deleted.
        live = _segment_ids(searcher)
        self.facet_lists = {
            key: lists for key, lists in self.facet_lists.items() if key[0] in live
        }
        self._segment_bitmaps = {
            key: maps for key, maps in self._segment_bitmaps.items() if key[0] in live
        }
        self._segment_lengths = {
            key: kept for key, kept in self._segment_lengths.items() if key[0] in live
        }
        return searcher

    def filter_docs(self, searcher, key: str, make_query) -> set:
        """Global document numbers matching the filter query `key` (built by
        `make_query()` when not cached), for this version of the index.
        Call with the lock held; never change the set returned."""
        docs = self._filters.get(key)
        if docs is not None:
            self._filters.move_to_end(key)
            return docs
        docs = set(searcher.docs_for_query(make_query()))
        self._filters[key] = docs
        self._filter_docs += len(docs)
        while self._filters and (
            len(self._filters) > _FILTER_ENTRIES or self._filter_docs > _FILTER_DOCS
        ):
            _key, dropped = self._filters.popitem(last=False)
            self._filter_docs -= len(dropped)
        return docs

    def field_values(self, searcher, fieldname: str):
        """A function: global document number -> the value of `fieldname`
        (a one-valued keyword field: the document ids) in that document,
        or None. Read from the field's postings once per segment and kept
        with the facets' lists (same shape, same lifetime: segments never
        change), never from the stored documents, which hold each
        testimony's whole text. Call with the lock held."""
        leaves = []
        for leaf, offset in searcher.reader().leaf_readers():
            segment = getattr(leaf, "segment", lambda: None)()
            key = (segment.segment_id(), fieldname) if segment is not None else None
            lists = self.facet_lists.get(key) if key is not None else None
            if lists is None:
                lists = _term_lists(leaf, searcher.schema[fieldname], fieldname)
                if key is not None:
                    self.facet_lists[key] = lists
            leaves.append((offset, lists))
        offsets = [offset for offset, _lists in leaves]

        def value(docnum):
            offset, lists = leaves[bisect_right(offsets, docnum) - 1]
            found = lists[docnum - offset]
            return found[0] if found else None

        return value

    def counts_by_value(self, searcher, fieldname: str, matched: int) -> dict:
        """How many of the documents in the bitmap `matched` hold each value
        of the keyword field `fieldname` (values held by none of them are
        left out), and under None how many hold no value: what Whoosh's
        overlapping facet counts, without walking the matches. Call with
        the lock held."""
        by_value, any_value = self._field_bitmaps(searcher, fieldname)
        counts = {}
        for value, holders in by_value.items():
            count = (holders & matched).bit_count()
            if count:
                counts[value] = count
        valueless = matched.bit_count() - (any_value & matched).bit_count()
        if valueless:
            counts[None] = valueless
        return counts

    def _field_bitmaps(self, searcher, fieldname: str):
        """(value -> bitmap of the index's documents holding it, bitmap of
        those holding any value) for this version of the index, put
        together from each segment's bitmaps shifted by its offset."""
        found = self._value_bitmaps.get(fieldname)
        if found is not None:
            return found
        field = searcher.schema[fieldname]
        by_value: dict = {}
        for leaf, offset in searcher.reader().leaf_readers():
            segment = getattr(leaf, "segment", lambda: None)()
            key = (segment.segment_id(), fieldname) if segment is not None else None
            maps = self._segment_bitmaps.get(key) if key is not None else None
            if maps is None:
                maps = _segment_value_bitmaps(leaf, field, fieldname)
                if key is not None:
                    self._segment_bitmaps[key] = maps
            for value, bitmap in maps.items():
                by_value[value] = by_value.get(value, 0) | (bitmap << offset)
        any_value = 0
        for bitmap in by_value.values():
            any_value |= bitmap
        found = self._value_bitmaps[fieldname] = (by_value, any_value)
        return found

    def length_norms(self, leaf, fieldname: str, norm, *, key) -> list[float]:
        """For each document of the segment `leaf`, `norm` of the length of
        its `fieldname` as Whoosh's scoring reads it (1 when it has none):
        the part of a score that depends on the document alone. `key` names
        what `norm` depends on (the scoring's parameters and the index's
        average length, which every commit changes). The lengths are kept
        per segment (they never change); the norms are made again from them
        when the key differs. Call with the lock held."""
        segment = getattr(leaf, "segment", lambda: None)()
        cache_key = (segment.segment_id(), fieldname) if segment is not None else None
        kept = self._segment_lengths.get(cache_key) if cache_key is not None else None
        if kept is None:
            length = leaf.doc_field_length
            lengths = [
                length(docnum, fieldname, 1) for docnum in range(leaf.doc_count_all())
            ]
            kept = [lengths, None, None]
            if cache_key is not None:
                self._segment_lengths[cache_key] = kept
        lengths, made_for, norms = kept
        if made_for != key:
            # None: a document without the field (Whoosh reads no length for
            # it), which no word of the field's postings can point to.
            norms = [None if length is None else norm(length) for length in lengths]
            kept[1:] = [key, norms]
        return norms

    def content_types(self, searcher, fieldname: str) -> set[str]:
        """The model labels present in the index (deleted documents
        included until a merge), for this version of the index."""
        if self._content_types is None:
            self._content_types = {
                term.decode() if isinstance(term, bytes) else term
                for term in searcher.reader().lexicon(fieldname)
            }
        return self._content_types


def _term_lists(reader, field, fieldname) -> list[list]:
    """For each document of one segment's `reader`, the values of
    `fieldname` it holds, from the postings (as Whoosh's overlapping facet
    builds them, so that both share the cache)."""
    lists = [[] for _ in range(reader.doc_count_all())]
    for term in field.sortable_terms(reader, fieldname):
        text = field.from_bytes(term)
        for docnum in reader.postings(fieldname, term).all_ids():
            lists[docnum].append(text)
    return lists


def _segment_value_bitmaps(reader, field, fieldname) -> dict:
    """For each value of `fieldname` in one segment's `reader`, the bitmap
    of the segment's documents holding it, read from the postings."""
    maps = {}
    for term in field.sortable_terms(reader, fieldname):
        maps[field.from_bytes(term)] = docs_bitmap(
            reader.postings(fieldname, term).all_ids()
        )
    return maps


def docs_bitmap(docnums) -> int:
    """Document numbers as a bitmap: an int with bit n set for document n.
    Filled through a bytearray: setting bits of an int one by one would
    copy it at every step."""
    docnums = docnums if isinstance(docnums, (set, list)) else list(docnums)
    if not docnums:
        return 0
    bits = bytearray((max(docnums) >> 3) + 1)
    for docnum in docnums:
        bits[docnum >> 3] |= 1 << (docnum & 7)
    return int.from_bytes(bits, "little")


class CachedOverlapFacet(FieldFacet):
    """A multi-valued field facet (haystack's, allow_overlap) whose
    per-document values come from the holder's per-segment cache."""

    def __init__(self, fieldname, holder: SharedSearcher):
        super().__init__(fieldname, allow_overlap=True, maptype=Count)
        self.holder = holder

    def categorizer(self, global_searcher):
        return _CachedOverlappingCategorizer(
            global_searcher, self.fieldname, self.holder.facet_lists
        )


class _CachedOverlappingCategorizer(OverlappingCategorizer):
    def __init__(self, global_searcher, fieldname, cache: dict):
        super().__init__(global_searcher, fieldname)
        self._cache = cache

    def set_searcher(self, segment_searcher, docoffset):
        segment = getattr(segment_searcher.reader(), "segment", lambda: None)()
        if self._use_vectors or self._use_column or segment is None:
            super().set_searcher(segment_searcher, docoffset)
            return
        key = (segment.segment_id(), self._fieldname)
        lists = self._cache.get(key)
        if lists is None:
            super().set_searcher(segment_searcher, docoffset)
            self._cache[key] = self._lists
        else:
            self._segment_searcher = segment_searcher
            self._lists = lists
