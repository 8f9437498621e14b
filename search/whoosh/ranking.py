"""A page of a search, ranked or sorted without Whoosh's collector.

Whoosh ranks a page by walking every match through a stack of matcher
objects and scoring it with several calls each, in Python: with a common
word that is most of a search's time (12,000 to 43,000 matches at 100,000
testimonies), and its block-quality skipping almost never skips here (the
blocks' best possible scores stay above the page's lowest). This module
gives the same ranking (BM25F, as Whoosh's default weighting, summed over
the words as its And and Or matchers sum them) for queries made only of
words, all required (And) or any of them (Or), by reading each word's
postings a block at a time and scoring a block in one comprehension.

Anything else (phrases, prefixes, NOT, boosts, another weighting) answers
None, and the caller lets Whoosh rank as before. A sorted page (no text to
rank, or another order asked) is ordered by Whoosh's own sort keys, read
for the matched documents only.

Whoosh 2.7.4 is its last release and is pinned: the block reading below
uses its postings reader's own attributes, and
tests/search/whoosh/test_ranking.py compares the two rankings on a real
index.
"""

import heapq
from bisect import bisect_left
from itertools import accumulate

from whoosh import query as whoosh_query
from whoosh import sorting
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25F


def word_scores(searcher, holder, parsed) -> dict[int, float] | None:
    """Every document (global number, deleted ones left out) matching the
    query `parsed`, with its score as Whoosh's collector computes it; None
    when the query or the weighting is not one this module scores. The
    keys are the query's matches: no second walk is needed to find them."""
    weighting = searcher.weighting
    if type(weighting) is not BM25F or not _words_only(parsed, searcher.schema):
        return None
    scores: dict[int, float] = {}
    for leaf, offset in searcher.reader().leaf_readers():
        segment = _Segment(searcher, leaf, holder, weighting)
        found = segment.scores(parsed)
        deleted = segment.deleted
        scores.update(
            {
                offset + docnum: score
                for docnum, score in found.items()
                if docnum not in deleted
            }
        )
    return scores


def best_ranked(scores: dict, matched: set, limit: int) -> list[tuple[float, int]]:
    """The `limit` best of the documents `matched` (global numbers) by
    their `scores`, as Whoosh's collector ranks them: [(score, docnum)],
    best first, equal scores by document number."""
    best = heapq.nlargest(
        limit,
        ((scores[docnum], -docnum) for docnum in matched if docnum in scores),
    )
    return [(score, -negative) for score, negative in best]


def sorted_page(searcher, sortedby, reverse, matched: set, limit: int):
    """The first `limit` of the documents `matched` (global numbers) in the
    order of the fields `sortedby`, as Whoosh's sorting collector orders
    them: [(sort key, docnum)], equal keys by document number, both
    reversed with `reverse`. The keys come from Whoosh's own categorizers,
    asked for the matched documents alone, where Whoosh would run the
    query's matcher again over every match."""
    categorizer = sorting.MultiFacet.from_sortedby(sortedby).categorizer(searcher)
    ordered = sorted(matched)
    items = []
    for segment, offset in searcher.leaf_searchers():
        first = bisect_left(ordered, offset)
        last = bisect_left(ordered, offset + segment.doc_count_all())
        if first == last:
            continue
        categorizer.set_searcher(segment, offset)
        key_for = categorizer.key_for
        items.extend(
            (key_for(None, docnum - offset), docnum) for docnum in ordered[first:last]
        )
    return (heapq.nlargest if reverse else heapq.nsmallest)(limit, items)


def _words_only(node, schema) -> bool:
    """A tree of words under And and Or alone, unboosted, on scorable
    fields: what _Segment scores exactly as Whoosh would."""
    if node.boost != 1.0:
        return False
    if type(node) is whoosh_query.Term:
        field = schema[node.fieldname] if node.fieldname in schema else None
        return field is not None and field.scorable and not node.minquality
    if type(node) is whoosh_query.And:
        return all(_words_only(child, schema) for child in node.subqueries)
    if type(node) is whoosh_query.Or:
        return (
            node.scale is None
            and not node.minmatch
            and all(_words_only(child, schema) for child in node.subqueries)
        )
    return False


class _Segment:
    """Scoring in one segment (document numbers local to it)."""

    def __init__(self, searcher, leaf, holder, weighting):
        self.searcher = searcher
        self.leaf = leaf
        self.holder = holder
        self.weighting = weighting
        # The segment's deleted documents (their postings stay until a
        # merge), as its postings reader gives them to every word.
        self.deleted: frozenset = frozenset()

    def scores(self, node) -> dict[int, float]:
        if type(node) is whoosh_query.Term:
            return self._word(node.fieldname, node.text)
        parts = [self.scores(child) for child in node.subqueries]
        if type(node) is whoosh_query.And:
            # The documents in every part (a set operation, in C), then
            # their scores summed, as Whoosh's intersection sums them.
            parts.sort(key=len)
            both = parts[0]
            for other in parts[1:]:
                both = {d: both[d] + other[d] for d in both.keys() & other.keys()}
            return both
        summed: dict[int, float] = {}
        for part in parts:
            for docnum, score in part.items():
                summed[docnum] = summed.get(docnum, 0.0) + score
        return summed

    def _word(self, fieldname, text) -> dict[int, float]:
        field = self.searcher.schema[fieldname]
        try:
            term = field.to_bytes(text)
        except ValueError:  # as Whoosh's Term: matches nothing
            return {}
        if (fieldname, term) not in self.leaf:
            return {}
        # Global statistics, as Whoosh's BM25FScorer takes them.
        idf = self.searcher.idf(fieldname, term)
        average = self.searcher.avg_field_length(fieldname) or 1
        b = self.weighting._field_B.get(fieldname, self.weighting.B)
        k1 = self.weighting.K1
        norms = self.holder.length_norms(
            self.leaf,
            fieldname,
            # whoosh.scoring.bm25's K1 * ((1 - B) + B * fl / avgfl) for each
            # document's field length fl: the same floats, computed once.
            lambda length: k1 * ((1 - b) + b * length / average),
            key=(k1, b, average),
        )
        top = k1 + 1
        found = {}
        postings = self.leaf.postings(fieldname, term)
        if isinstance(postings, FilterMatcher):
            self.deleted = postings._ids
            postings = postings.child
        for ids, weights in _blocks(postings):
            # whoosh.scoring.bm25: idf * ((tf * (K1 + 1)) / (tf + norm)).
            found.update(
                {
                    docnum: idf * ((tf * top) / (tf + norms[docnum]))
                    for docnum, tf in zip(ids, weights, strict=True)
                }
            )
        return found


def _blocks(matcher):
    """(document numbers, weights) of a word's postings, a block at a time."""
    if type(matcher) is not W3LeafMatcher:
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        yield ids, weights
        return
    while not matcher._atend:
        matcher._read_weights()  # reads the block
        stored = matcher._data[0]
        # The block's ids are stored as gaps unless they fit in bytes (what
        # _read_ids undoes with a generator; accumulate does it in C).
        yield (stored if matcher._byteids else accumulate(stored)), matcher._weights
        matcher._next_block()
