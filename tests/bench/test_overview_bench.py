"""The map and timeline benchmark (bench/overview_bench.py) measures what it
says: each endpoint, each search of its mix, with the number counted."""

from tests.installation import bench_module
from tests.markers import committed_db

pytestmark = committed_db

overview_bench = bench_module("overview_bench")


def test_each_endpoint_and_search_is_timed_with_its_count(archive, client):
    figures = overview_bench.measure(client, rounds=2)
    assert set(figures) == set(overview_bench.ENDPOINTS)
    for endpoint in overview_bench.ENDPOINTS:
        rows = figures[endpoint]
        assert set(rows) == {name for name, _params in overview_bench.SEARCHES}
        assert all(row["samples"] == 2 for row in rows.values())
        # The public's share of tests/conftest.py's archive.
        assert rows["everything"]["counted"] == 4
        assert rows["governorate"]["counted"] == 3
