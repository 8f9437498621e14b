"""The load test (bench/load.py): a short real run against its own gunicorn,
and the checks that decide whether a run passed."""

import json
import subprocess
import sys

import pytest

from tests.installation import BENCH, bench_module

load = bench_module("load")
clients = bench_module("load_clients")


def test_index_errors_and_tracebacks_are_found_in_the_log():
    log = "\n".join(
        [
            "search index: 1 updated, 0 removed",
            "search index: 2 documents purged",
            "Traceback (most recent call last):",
            "whoosh.index.LockError",
            "search index: FakeBackend cannot purge; 1 erased documents only removed",
        ]
    )
    problems = load.log_problems(log)
    assert problems == {"tracebacks": 1, "index_errors": 2, "index_writes": 2}


def test_a_clean_log_has_no_problems():
    problems = load.log_problems("search index: 1 updated, 0 removed\n[INFO] Booting")
    assert problems["index_errors"] == 0
    assert problems["tracebacks"] == 0


def recorder_with(saved, before_rows, after_rows):
    recorder = clients.Recorder()
    recorder.saved["abc"] = saved
    recorder.history_before["abc"] = before_rows
    recorder.history_after["abc"] = after_rows
    return recorder


def counts(records, audit):
    return {"abc": {"consent_records": records, "audit_entries": audit}}


def test_a_confirmed_save_missing_from_the_database_is_a_lost_write():
    recorder = recorder_with(saved=3, before_rows=1, after_rows=4)
    lost = load.lost_writes(recorder, counts(1, 1), counts(3, 4))
    assert lost["missing"] == 1


def test_a_row_without_a_confirmed_save_is_counted_too():
    recorder = recorder_with(saved=3, before_rows=1, after_rows=4)
    lost = load.lost_writes(recorder, counts(1, 1), counts(5, 4))
    assert lost["missing"] == 1


def test_a_save_missing_from_the_consent_page_is_a_lost_write():
    recorder = recorder_with(saved=3, before_rows=1, after_rows=3)
    assert load.lost_writes(recorder, None, None)["missing"] == 1


def test_every_confirmed_save_accounted_for():
    recorder = recorder_with(saved=3, before_rows=1, after_rows=4)
    assert load.lost_writes(recorder, counts(1, 1), counts(4, 4))["missing"] == 0


def test_consent_history_rows_are_read_from_the_page():
    page = (
        '<table class="consent-table"><caption>x</caption><thead><tr><th>a</th>'
        "</tr></thead><tbody><tr><td>1</td></tr><tr><td>2</td></tr></tbody></table>"
    )
    assert clients.history_rows(page) == 2
    assert clients.history_rows("<p>No consent recorded yet.</p>") is None


@pytest.mark.slow
def test_a_short_run_against_gunicorn_passes_and_prints_the_table(
    tmp_path, prepared_installation
):
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH / "load.py"),
            "--duration",
            "3",
            "--searchers",
            "1",
            "--researchers",
            "1",
            "--writers",
            "1",
            "--results",
            str(tmp_path),
            "--prepared",
            str(prepared_installation),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "p95 ms" in done.stdout
    assert "lost writes: 0" in done.stdout
    (result,) = tmp_path.glob("load-*.json")
    figures = json.loads(result.read_text(encoding="utf-8"))
    assert figures["passed"] is True
    assert figures["total"]["5xx"] == 0
    # Every kind of client did its work.
    assert figures["kinds"]["consent save"]["count"] > 0
    assert figures["kinds"]["testimony page"]["count"] > 0
    assert figures["lost_writes"]["confirmed_saves"] > 0
    assert figures["log"]["index_writes"] > 0
    assert figures["api"]["with_results"] > 0
