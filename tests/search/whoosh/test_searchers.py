"""The process's shared searcher (search.whoosh.searchers) while other processes
commit: a search never gets a closed searcher or a table of contents that a
writer has just deleted, whatever the timing."""

from whoosh import fields
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex
from whoosh.qparser import QueryParser

from search.whoosh.searchers import SharedSearcher

SCHEMA = fields.Schema(
    id=fields.ID(stored=True, unique=True), body=fields.TEXT(stored=True)
)
QUERY = QueryParser("body", SCHEMA).parse("banias")


def _index(path):
    index = FileStorage(str(path)).create().create_index(SCHEMA)
    writer = index.writer()
    for number in range(3):
        writer.add_document(id=str(number), body=f"banias account {number}")
    writer.commit()
    return index


def _commit(index, number):
    """A real commit by another writer: a new generation, and Whoosh deletes
    the table of contents of the one before."""
    writer = index.refresh().writer()
    writer.update_document(id=str(number % 3), body=f"banias account {number}")
    writer.commit(merge=False)


class RacingStorage(FileStorage):
    """Whoosh's own file storage, where another writer commits at chosen
    moments, as another process does: right after the n-th listing of the
    index folder (what that listing named is then stale), or right before
    the n-th table of contents is opened (the file is then gone)."""

    def __init__(self, path, *, index):
        super().__init__(path)
        self.index = index
        self.race(after_listing=(), before_toc=())

    def race(self, *, after_listing=(), before_toc=()):
        """Arm the commits, counting listings and opens from now on."""
        self.after_listing, self.before_toc = after_listing, before_toc
        self.listings = self.toc_opens = 0

    def list(self):
        names = super().list()
        self.listings += 1
        if self.listings in self.after_listing:
            _commit(self.index, 100 + self.listings)
        return names

    def open_file(self, name, *args, **kwargs):
        if name.endswith(".toc"):
            self.toc_opens += 1
            if self.toc_opens in self.before_toc:
                _commit(self.index, 500 + self.toc_opens)
        return super().open_file(name, *args, **kwargs)


def _searching(tmp_path, index, **races):
    holder = SharedSearcher(str(tmp_path))
    storage = RacingStorage(str(tmp_path), index=index)
    racing = FileIndex(storage, SCHEMA)
    storage.race(**races)
    return holder.searching(racing.refresh)


def test_a_search_never_gets_the_searcher_a_busy_index_made_it_close(tmp_path):
    """A commit lands between every look at the latest generation and the
    opening of the searcher: the holder runs out of attempts, and must
    still hand out an open searcher."""
    index = _index(tmp_path)
    every_other = range(1, 200, 2)
    with _searching(tmp_path, index, after_listing=every_other) as searcher:
        # As the archive's backend searches: the count first, then the query.
        assert searcher.doc_count() == 3
        assert len(searcher.search(QUERY)) == 3


def test_a_search_survives_a_table_of_contents_deleted_while_opening(tmp_path):
    index = _index(tmp_path)
    for race in range(1, 6):
        with _searching(tmp_path, index, before_toc={race}) as searcher:
            assert searcher.doc_count() == 3, race
            assert len(searcher.search(QUERY)) == 3, race
