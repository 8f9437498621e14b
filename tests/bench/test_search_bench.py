"""The search benchmark (bench/search_bench.py) and its table in docs/search.md."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.installation import bench_module

ROOT = Path(__file__).resolve().parents[2]
search_bench = bench_module("search_bench")
results_table = bench_module("results_table")


def test_percentiles_are_nearest_rank_in_milliseconds():
    figures = search_bench.percentiles([0.001 * n for n in range(1, 101)])
    assert figures == {"p50": 50.0, "p95": 95.0, "samples": 100}
    assert search_bench.percentiles([]) == {"p50": None, "p95": None, "samples": 0}


def test_the_rebuild_is_the_one_the_makefile_runs(tmp_path):
    makefile = tmp_path / "Makefile"
    makefile.write_text(
        "demo-data:\n\t$(MANAGE) migrate --noinput\n"
        "\t$(MANAGE) rebuild_index --noinput --workers 2\n"
    )
    assert search_bench.rebuild_command(makefile) == [
        "rebuild_index",
        "--noinput",
        "--workers",
        "2",
    ]
    assert "index" in search_bench.rebuild_command()[0]


def test_unique_words_differ_and_hold_letters_only():
    words = {search_bench.unique_word(n, "20261125190000") for n in range(500)}
    assert len(words) == 500
    assert all(word.isalpha() and word.isascii() for word in words)


def test_the_table_is_replaced_between_its_markers():
    text = f"intro\n{results_table.START}\nold\n{results_table.END}\nrest\n"
    updated = results_table.page_update(text, "| new |")
    assert "old" not in updated
    assert f"{results_table.START}\n| new |\n{results_table.END}" in updated
    assert updated.startswith("intro\n") and updated.endswith("rest\n")


def test_the_search_page_has_the_table_markers():
    page = (ROOT / "docs" / "search.md").read_text(encoding="utf-8")
    assert results_table.START in page and results_table.END in page


FIGURES = [
    ("rebuild", "testimonies_per_s"),
    ("save_to_searchable_ms", "p50"),
    ("save_to_searchable_ms", "p95"),
    ("withdrawal_to_gone_ms", "p50"),
    ("withdrawal_to_gone_ms", "p95"),
    ("corpus", "indexed"),
]


@pytest.mark.slow
def test_a_tiny_run_writes_every_figure(tmp_path):
    results = tmp_path / "results"
    done = subprocess.run(
        [
            sys.executable,
            "bench/search_bench.py",
            "--size",
            "60",
            "--rounds",
            "1",
            "--samples",
            "2",
            "--data-dir",
            str(tmp_path / "data"),
            "--results-dir",
            str(results),
        ],  # fmt: skip
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (written,) = results.glob("*.json")
    figures = json.loads(written.read_text(encoding="utf-8"))
    assert figures["size"] == 60
    assert figures["corpus"]["testimonies"] >= 60
    for block, name in FIGURES:
        assert figures[block][name] is not None, (block, name)
    assert figures["withdrawal_to_gone_ms"]["concurrent_savers"] == 4
    assert figures["withdrawal_to_gone_ms"]["saves_during"] > 0
    latency = figures["queries"]["latency_ms"]
    for engine in ("api", "page", "whoosh_raw", "fts5"):
        for kind in ("all", "text", "text+2 filters", "filters only"):
            assert latency[engine][kind]["p95"] is not None, (engine, kind)
    for kind in ("all", "text", "text+2 filters", "filters only"):
        ratios = figures["queries"]["p95_ratios"][kind]
        assert ratios["api_to_fts5"] > 0 and ratios["page_to_api"] > 0, kind
    assert len(figures["machine"]["load_average_at_start"]) == 3
    # Reported, not required to be nil: FTS5 does not stem, and the API
    # leaves out what the database check refuses.
    assert set(figures["queries"]["count_mismatches"]) == {"whoosh_raw", "fts5"}
    assert figures["withdrawal_to_gone_ms"]["saves_failed"] >= 0
    assert figures["withdrawal_to_gone_ms"]["withdrawals_left_in_index"] == 0
    assert figures["api_to_whoosh_p95"] > 0
    assert figures["peak_rss_mb"] > 0
    # The web process (Django answering /api/search/) is measured apart.
    assert 0 < figures["web_process_peak_rss_mb"] < figures["peak_rss_mb"] * 2
    assert set(figures["phase_seconds"]) >= {"corpus", "rebuild", "queries"}
    assert "/api/search/" in done.stdout
    assert results_table.table({60: {**figures, "file": written.name}})
