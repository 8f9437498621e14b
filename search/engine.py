"""What the archive asks of its search engine beyond haystack's backend API.

Haystack covers searching, facets, updates and removals. The archive needs a
few things more, and each engine answers them in its own way: waiting for
the index's lock or not, taking an erased testimony's text out of the index's
files, proposing similar testimonies, reading the index's vocabulary for "did
you mean", rebuilding on every core. ArchiveSearchBackend names them, with
what an engine that cannot do one of them answers instead. The embedded
Whoosh engine (search.whoosh) and the search clusters (search.cluster)
subclass it; engine-neutral code (search.indexing, search.selectors,
search.suggestions, search.excerpts, the rebuild_index command) asks
search_engine() and never imports an engine. Another engine (PostgreSQL's
full-text search, say) is one more package beside them.
"""

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from haystack import connections
from haystack.utils import loading

from search import analysis

logger = logging.getLogger(__name__)


@dataclass
class RebuildOutcome:
    written: int  # documents written
    batches: int
    seconds: float


class NothingToResume(Exception):
    """A rebuild was asked to resume, and none was interrupted."""


class RebuildFailed(Exception):
    """A rebuild stopped on an error and left the index as it was before."""


class Vocabulary(Protocol):
    """The index's words as one user may see them (search.suggestions):
    every answer counts only documents the user's role lets through."""

    def terms(self, word: str) -> list[str]:
        """The word as the index's text analysis makes it (none: a stop word)."""

    def known(self, term: str) -> bool:
        """Whether a document the user may see holds the term."""

    def correction(self, term: str) -> tuple[int, str] | None:
        """(edit distance, word as written) of the nearest term common among
        the documents the user may see; None if there is none."""


# What haystack's values_list() asks a backend's search() for (`fields`)
# besides the fields it names: a search that names nothing more
# ("pk", say) needs no stored document, only which documents matched.
KEY_FIELDS = frozenset({"id", "django_ct", "django_id", "score", "pk"})


def asks_keys_only(fields) -> bool:
    """Whether a search's `fields` (haystack's values_list) ask only which
    documents matched: each engine then reads its ids and nothing of the
    stored documents (the map and the timeline count thousands)."""
    return bool(fields) and not isinstance(fields, str) and set(fields) <= KEY_FIELDS


class ArchiveSearchBackend:
    """Mixed into a haystack backend. Its methods bear names haystack's
    backends do not use: it only adds, wherever it stands in the bases.
    Every method has the answer of an engine that cannot do
    better; an engine overrides what it does better.

    The backend's own `update(index, objects, commit=True, urgent=False,
    lock_timeout=None)` writes the documents of these objects as the
    database has them now and removes those that may no longer be indexed;
    `urgent` (a withdrawal's) goes first when several processes wait, and
    `lock_timeout` bounds the wait for an engine that has a write lock."""

    # Whether rebuild() is the engine's own: rebuild_index otherwise runs
    # haystack's clear_index and update_index.
    rebuilds_itself = False
    # Whether "did you mean" can draw on the index's words (vocabulary()),
    # not the gazetteer's names alone; the search page says which.
    corrects_from_index = False

    # Whether a search asked with highlight(spans=True) gives each result
    # `match_spans`: (start, end, term) of the query's words in its stored
    # text (search.excerpts.excerpt_from_spans). Other engines are never
    # asked (a cluster would take "spans" for one of its own options), and
    # their excerpts analyse the text (search.excerpts.excerpt).
    gives_match_spans = False

    def shares_transactions_with(self, using: str) -> bool:
        """Whether the index is written through the database connection
        `using` itself (a table of that database): a write made inside one
        of its transactions then commits or rolls back with it, and
        search.indexing removes a withdrawn testimony's document in the
        withdrawal's own transaction. False for an index apart from the
        database, written after the commit."""
        return False

    def remove_many(self, identifiers, *, lock_timeout=None) -> None:
        """Remove documents by haystack identifier ("app.model.pk")."""
        for identifier in identifiers:
            self.remove(identifier)

    def purge_many(self, identifiers, *, lock_timeout=None) -> None:
        """Remove documents so that nothing of them is left in the index's
        files (erasure: a removal alone often only marks them deleted).
        An engine that cannot only removes them, and says so loudly."""
        logger.error(
            "search index: %s cannot purge; %d erased documents only removed",
            type(self).__name__,
            len(identifiers),
        )
        self.remove_many(identifiers, lock_timeout=lock_timeout)

    def similar_pks(self, *, pk, text: str, allowed, top: int) -> list[int]:
        """Primary keys of up to `top` indexed testimonies like the one whose
        (redacted) text is `text`, most alike first, never `pk` itself,
        among those the haystack filter `allowed` lets through (None: all).
        None proposed by an engine that cannot find them."""
        return []

    @contextmanager
    def one_request(self):
        """The searches made inside the block answer one request (a page of
        results and the facet counts that leave out one filter each): an
        engine may find the text's matches once for all of them, since
        they search the same text on the same version of the index. No
        result outlives the block."""
        yield

    def index_version(self):
        """What identifies the index as it is now (any change gives another
        value), for what is kept per index version (search.selectors' facet
        labels); None from an engine that cannot tell, which keeps nothing."""
        return None

    @contextmanager
    def vocabulary(self, allowed):
        """The index's Vocabulary for the user whose haystack filter is
        `allowed`, open for the duration of the block; None from an engine
        that cannot read it (suggestions then come from the gazetteer
        alone)."""
        yield None

    def text_analyzer(self):
        """The analysis that marks a query's words in an excerpt: the index's
        own where the engine analyses in this process, else the archive's
        Arabic and English analysis (search.analysis)."""
        return analysis.text_analyzer()

    def rebuild(
        self, *, resume: bool, batch_size, workers: int, progress: bool
    ) -> RebuildOutcome:
        """Rebuild the index from the database (rebuilds_itself engines)."""
        raise NotImplementedError


class _HaystackBackend(ArchiveSearchBackend):
    """Another haystack engine named in ARCHIVE_SEARCH_ENGINE by its dotted
    path: haystack's backend, with the answers of an engine that has none
    of the archive's capabilities."""

    def __init__(self, backend):
        self._backend = backend

    def __getattr__(self, name):
        return getattr(self._backend, name)

    def update(self, index, iterable, commit=True, urgent=False, lock_timeout=None):
        self._backend.update(index, iterable, commit=commit)


def search_engine(using: str = "default") -> ArchiveSearchBackend:
    """The configured engine's backend (ARCHIVE_SEARCH_ENGINE)."""
    backend = connections[using].get_backend()
    if isinstance(backend, ArchiveSearchBackend):
        return backend
    return _HaystackBackend(backend)


def search_engine_load() -> None:
    """Import the configured engine's module now (the search app is ready):
    what it sets up for the process (search.whoosh: reading segment files in
    place) is then in place in every process before an index is opened."""
    loading.load_backend(settings.HAYSTACK_CONNECTIONS["default"]["ENGINE"])
