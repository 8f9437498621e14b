"""The soak test (bench/soak.py): searches from several processes while
rebuild_index, saves and withdrawals run, against its own gunicorn. A
short run here; docs/operations.md's figures come from the long one."""

import json
import subprocess
import sys

import pytest

from tests.installation import BENCH, bench_module

soak = bench_module("soak")


def test_every_soak_testimony_has_a_word_of_its_own():
    """Distinct once analysed as the index analyses them: a word stemmed
    like another would "find" a withdrawn testimony's neighbour."""
    from search.analysis import text_analyzer

    analyse = text_analyzer()
    words = [soak.marker(n) for n in range(5000)]
    analysed = {tuple(token.text for token in analyse(word)) for word in words}
    assert len(analysed) == len(words)
    assert all(len(tokens) == 1 for tokens in analysed)


@pytest.mark.slow
def test_searches_meet_no_error_and_no_withdrawn_testimony(
    tmp_path, prepared_installation
):
    # A short run: the script goes on until everything below has happened.
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH / "soak.py"),
            "--duration", "2",
            "--searchers", "2",
            "--soak-testimonies", "60",
            "--corpus", "100",
            "--results", str(tmp_path),
            "--prepared", str(prepared_installation),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (result,) = tmp_path.glob("soak-*.json")
    figures = json.loads(result.read_text(encoding="utf-8"))
    assert figures["errors"] == 0 and figures["tracebacks"] == 0
    assert figures["reappeared"] == 0
    # Everything ran while the searches did.
    assert figures["rebuilds"] >= 1 and figures["saves"] > 0
    assert figures["withdrawals"] > 0 and figures["checks_of_withdrawn"] > 0
    assert "withdrawn testimonies that reappeared | 0 |" in done.stdout
