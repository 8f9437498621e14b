"""Where /api/search/ spends its time: the search benchmark's query mix,
answered in this process under cProfile, on a data folder the benchmark
made (bench/search_bench.py; run it once at that size first).

    .venv/bin/python bench/search_profile.py --size 10000 [--rounds 3] [--top 25]
    DATABASE_URL=postgres://... .venv/bin/python bench/search_profile.py \
        --size 100000 --engine postgres [--data-dir bench/.data/100000-postgres]

Prints the calls that took the most time (cumulative and own), and the time
spent in a few named parts of the results pipeline as a share of the whole:
the Whoosh search, the database checks, the texts (opening sealed text,
redaction), the excerpts, the facet labels. With --output, the raw profile
is kept for pstats or snakeviz.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Parts of the pipeline by the function that does each (module file, name):
# the cumulative time of the outermost call, as a share of all requests.
PARTS = {
    "Whoosh search (backend.search)": ("search/whoosh/backends.py", "search"),
    "PostgreSQL search (backend.search)": ("search/postgres/backends.py", "search"),
    "database re-check of the hits": ("search/selectors.py", "_visible_sources"),
    "hits' rows (display)": ("search/selectors.py", "_hit_rows"),
    "texts: open sealed, redact again": (
        "testimonies/redaction/generalisation.py",
        "readable_texts_many",
    ),
    "opening the key store": ("testimonies/vault/sealing.py", "_keystore"),
    "excerpts and highlights": ("search/excerpts.py", "excerpt"),
    "facet labels": ("search/selectors.py", "_facet_lists"),
    "pending index changes": ("search/indexing.py", "index_pending"),
    "places and dates for the reader": (
        "testimonies/core/selectors.py",
        "testimonies_facts",
    ),
    "consent in force": ("search/documents.py", "current_consents"),
    "JSON of the answer": ("search/serializers.py", "outcome_json"),
}


def part_shares(stats: pstats.Stats) -> list[tuple[str, float, float]]:
    """(part, seconds, share of the total) for each of PARTS found."""
    total = max(stats.total_tt, 1e-9)
    rows = []
    for label, (path, name) in PARTS.items():
        seconds = sum(
            cumulative
            for (file, _line, function), (_cc, _nc, _tt, cumulative, _callers) in (
                stats.stats.items()
            )
            if function == name and file.endswith(path)
        )
        if seconds:
            rows.append((label, seconds, seconds / total))
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--output", type=Path, help="keep the raw profile here")
    parser.add_argument(
        "--engine", choices=["whoosh", "postgres"], help="as search_bench.py's"
    )
    parser.add_argument("--data-dir", type=Path, help="as search_bench.py's")
    args = parser.parse_args(argv)
    folder = str(args.size) + ("-postgres" if args.engine == "postgres" else "")
    data_dir = args.data_dir or ROOT / "bench" / ".data" / folder
    stored = (data_dir / "index").exists() or any(data_dir.glob("*.sqlite3"))
    if not stored and args.engine != "postgres":
        sys.exit(f"no benchmark data in {data_dir}: run bench/search_bench.py first")

    from search_bench import (
        engine_environment,
        environment,
        peak_rss_mb,
        query_mix,
        researcher_account,
    )

    engine_environment(args.engine)
    os.environ.update(environment(data_dir))
    from django.test import Client

    # Started as a server's worker is (archive.server_start).
    import archive.wsgi  # noqa: F401
    from bench.corpus.generator import Vocabulary

    mix = query_mix(Vocabulary.load())
    clients = {"public": Client(), "researcher": Client()}
    clients["researcher"].force_login(researcher_account())

    def ask():
        for _kind, params in mix:
            for client in clients.values():
                answer = client.get("/api/search/", params)
                if answer.status_code != 200:
                    raise RuntimeError(f"/api/search/ {params}: {answer.status_code}")

    ask()  # warm-up: searcher opened, caches filled, as in the benchmark
    profile = cProfile.Profile()
    started = time.monotonic()
    profile.enable()
    for _round in range(args.rounds):
        ask()
    profile.disable()
    elapsed = time.monotonic() - started
    requests = args.rounds * len(mix) * len(clients)
    print(
        f"{requests} requests in {elapsed:.1f} s under the profiler "
        f"({elapsed / requests * 1000:.0f} ms each); load average "
        f"{' '.join(f'{n:.2f}' for n in os.getloadavg())}"
    )
    print(f"peak memory of this process: {peak_rss_mb()} MB (VmHWM)")
    if args.output:
        profile.dump_stats(args.output)
    stats = pstats.Stats(profile)
    print("\nparts of the pipeline (cumulative, share of all requests):")
    for label, seconds, share in part_shares(stats):
        print(f"  {share:6.1%}  {seconds / requests * 1000:7.1f} ms/request  {label}")
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(args.top)
        print(f"\n--- by {order} ---")
        print(out.getvalue().strip("\n"))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
