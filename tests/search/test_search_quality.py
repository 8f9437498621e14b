"""Judged search quality: bench/search_quality.py's
queries over its fixed archive, through /api/search/ as a researcher, hold
the overall figures at or above the floors recorded in queries.json."""

from tests.installation import bench_module
from tests.markers import committed_db

quality = bench_module("search_quality")


def test_the_judged_set_is_what_the_issue_asks_for():
    judged = quality.judged_queries()
    queries = judged["queries"]
    arabic = [q for q in queries if any("\u0600" <= c <= "\u06ff" for c in q["q"])]
    assert len(queries) >= 40 and len(arabic) * 2 >= len(queries)
    assert all(q["relevant"] for q in queries)
    assert judged["floors"]["recall"] >= 0.9


def test_the_judged_set_holds_the_query_syntax_in_both_scripts():
    queries = [q["q"] for q in quality.judged_queries()["queries"]]
    forms = {
        "OR": lambda q: " OR " in q,
        "NOT": lambda q: " NOT " in q or " -" in q,
        "parentheses": lambda q: "(" in q,
        "phrase": lambda q: q.count('"') == 2,
        "excluded phrase": lambda q: '-"' in q,
        "prefix": lambda q: q.endswith("*"),
    }
    for name, has in forms.items():
        written = [q for q in queries if has(q)]
        arabic = [q for q in written if any("\u0600" <= c <= "\u06ff" for c in q)]
        assert arabic, name
        assert set(written) - set(arabic), name


@committed_db
def test_search_quality_holds_its_floors(
    each_engine, gazetteer, researcher, client_for
):
    quality.archive_load()
    report = quality.evaluate(client_for(researcher))
    floors = quality.judged_queries()["floors"]
    summary = [(s.query, s.precision_at_10, s.recall) for s in report.queries]
    assert report.recall >= floors["recall"], summary
    assert report.precision_at_10 >= floors["precision_at_10"], summary
