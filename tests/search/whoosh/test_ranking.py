"""The page ranked without Whoosh's collector (search.whoosh.ranking) and the
facets counted from bitmaps (SharedSearcher.counts_by_value) give what
Whoosh itself gives, on a real index of several segments, with deleted
documents and posting lists long enough to span many blocks."""

import datetime
import random

import pytest
from whoosh import collectors, fields, sorting
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage

from search.whoosh import ranking
from search.whoosh.searchers import SharedSearcher, docs_bitmap

SCHEMA = fields.Schema(
    id=fields.ID(stored=True, unique=True),
    body=fields.TEXT(),
    place=fields.KEYWORD(commas=True),
    # Few values: many documents share a key, and the order among them counts.
    grade=fields.NUMERIC(sortable=True),
    day=fields.DATETIME(sortable=True),
)
WORDS = ["banias", "checkpoint", "armed", "men", "house", "night", "shooting"]
VOCABULARY = WORDS + ["filler"] * 6
PLACES = ["latakia", "banias", "jableh", "tartus", "qardaha"]


@pytest.fixture(scope="module")
def index_path(tmp_path_factory):
    """1,500 documents in three segments, 200 of them deleted afterwards;
    the first segment also holds documents without a text (Whoosh reads no
    length for them)."""
    path = tmp_path_factory.mktemp("ranking")
    index = FileStorage(str(path)).create().create_index(SCHEMA)
    chance = random.Random(7)
    for part in range(3):
        writer = index.writer()
        if part == 0:
            for number in range(1500, 1510):
                writer.add_document(id=str(number), place="latakia", grade=1)
        for number in range(part * 500, (part + 1) * 500):
            length = chance.randint(3, 120)
            body = " ".join(chance.choice(VOCABULARY) for _ in range(length))
            places = chance.sample(PLACES, chance.randint(0, 2))
            writer.add_document(
                id=str(number),
                body=body,
                place=",".join(places),
                grade=chance.randint(1, 4),
                day=datetime.datetime(2011, 1, 1)
                + datetime.timedelta(days=chance.randint(0, 30)),
            )
        writer.commit(merge=False)
    writer = index.writer()
    for number in chance.sample(range(1500), 200):
        writer.delete_by_term("id", str(number))
    writer.commit(merge=False)
    return path


@pytest.fixture
def searching(index_path):
    holder = SharedSearcher(str(index_path))
    index = FileStorage(str(index_path)).open_index()
    with holder.searching(lambda: index.refresh()) as searcher:
        assert len(list(searcher.reader().leaf_readers())) == 3
        yield holder, searcher


def _whoosh_top(searcher, query, limit):
    collector = collectors.TopCollector(limit=limit)
    searcher.search_with_collector(query, collector)
    return [(score, docnum) for score, docnum in collector.results().top_n]


def term(word):
    return wq.Term("body", word)


@pytest.mark.parametrize(
    "query",
    [
        term("checkpoint"),
        wq.And([term("armed"), term("men")]),
        wq.Or([term("night"), term("shooting")]),
        wq.And([term("house"), wq.Or([term("banias"), term("checkpoint")])]),
        wq.And([term("armed"), term("men"), term("night")]),
        term("absent"),
    ],
    ids=str,
)
@pytest.mark.parametrize("limit", [1, 20, 400])
def test_the_page_is_whooshs_own_ranking(searching, query, limit):
    holder, searcher = searching
    matched = set(searcher.docs_for_query(query))
    ranked = ranking.best_ranked(
        ranking.word_scores(searcher, holder, query), matched, limit
    )
    expected = _whoosh_top(searcher, query, limit)
    assert [docnum for _score, docnum in ranked] == [d for _s, d in expected]
    assert [score for score, _docnum in ranked] == pytest.approx(
        [score for score, _docnum in expected], rel=1e-12
    )
    assert set(searcher.docs_for_query(query)) >= {d for _s, d in ranked}


def test_word_scores_match_exactly_the_undeleted_documents(searching):
    """The scores' keys are the query's matches: deleted documents, whose
    postings stay until a merge, are not among them."""
    holder, searcher = searching
    for query in (term("checkpoint"), wq.Or([term("night"), term("men")])):
        scores = ranking.word_scores(searcher, holder, query)
        assert set(scores) == set(searcher.docs_for_query(query))


def test_only_the_matched_documents_are_ranked(searching):
    """The filters (role, facets) and deletions come in through `matched`."""
    holder, searcher = searching
    query = term("checkpoint")
    matched = set(sorted(searcher.docs_for_query(query))[::3])
    ranked = ranking.best_ranked(
        ranking.word_scores(searcher, holder, query), matched, 50
    )
    collector = collectors.TopCollector(limit=50)
    searcher.search_with_collector(
        query, collectors.FilterCollector(collector, allow=matched)
    )
    assert [d for _s, d in ranked] == [d for _s, d in collector.results().top_n]


@pytest.mark.parametrize(
    "query",
    [
        wq.Phrase("body", ["armed", "men"]),
        wq.Prefix("body", "check"),
        wq.AndNot(term("armed"), term("men")),
        wq.Term("body", "armed", boost=2.0),
        wq.Or([term("armed"), term("men")], scale=0.9),
        wq.Every(),
    ],
    ids=str,
)
def test_other_queries_are_left_to_whoosh(searching, query):
    holder, searcher = searching
    assert ranking.word_scores(searcher, holder, query) is None


@pytest.mark.parametrize("sortedby", [["grade"], ["day"], ["grade", "day"]], ids=str)
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("limit", [1, 20, 2000])
def test_a_sorted_page_is_whooshs_own_order(searching, sortedby, reverse, limit):
    _holder, searcher = searching
    for query in (term("checkpoint"), wq.Every()):
        matched = set(searcher.docs_for_query(query))
        page = ranking.sorted_page(searcher, sortedby, reverse, matched, limit)
        expected = searcher.search(
            query, limit=limit, sortedby=sortedby, reverse=reverse
        ).top_n
        assert [docnum for _key, docnum in page] == [d for _k, d in expected]
        assert page == expected


def test_facets_from_bitmaps_are_whooshs_counts(searching):
    holder, searcher = searching
    few = wq.Or([wq.Term("id", str(number)) for number in range(1, 40, 7)])
    for query in (
        term("checkpoint"),
        wq.Every(),
        wq.And([term("armed"), term("men")]),
        few,
    ):
        matched = set(searcher.docs_for_query(query))
        counts = holder.counts_by_value(searcher, "place", docs_bitmap(matched))
        facet = sorting.FieldFacet("place", allow_overlap=True, maptype=sorting.Count)
        results = searcher.search(query, limit=None, groupedby={"place": facet})
        assert counts == results.groups("place")
        assert sum(counts.values()) >= len(matched)


def test_docs_bitmap_sets_exactly_the_documents_given():
    docnums = {0, 7, 8, 1000, 4095}
    bitmap = docs_bitmap(docnums)
    assert bitmap.bit_count() == len(docnums)
    assert {n for n in range(5000) if bitmap >> n & 1} == docnums
    assert docs_bitmap(set()) == 0


def test_nothing_is_kept_for_a_segment_merged_away(tmp_path):
    """What the searcher keeps per segment (value bitmaps, field lengths) is
    dropped once a merge has removed the segment: a web process lives
    through thousands of commits."""
    index = FileStorage(str(tmp_path)).create().create_index(SCHEMA)
    for part in range(2):
        writer = index.writer()
        for number in range(part * 50, part * 50 + 50):
            writer.add_document(id=str(number), body="checkpoint night", place="tartus")
        writer.commit(merge=False)
    holder = SharedSearcher(str(tmp_path))
    query = term("checkpoint")
    with holder.searching(lambda: index.refresh()) as searcher:
        ranking.word_scores(searcher, holder, query)
        matched = set(searcher.docs_for_query(query))
        holder.counts_by_value(searcher, "place", docs_bitmap(matched))
        before = _kept_segments(holder)
    assert len(before) == 2
    index.optimize()  # one new segment; the two above are gone
    with holder.searching(lambda: index.refresh()) as searcher:
        scores = ranking.word_scores(searcher, holder, query)
        assert len(scores) == 100
        after = _kept_segments(holder)
    assert len(after) == 1 and not after & before


def _kept_segments(holder) -> set:
    """The ids of the segments the holder keeps anything for."""
    caches = (holder.facet_lists, holder._segment_bitmaps, holder._segment_lengths)
    return {key[0] for cache in caches for key in cache}
