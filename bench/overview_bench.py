"""Map and timeline benchmark: /api/map/ and /api/timeline/ at N testimonies.

    .venv/bin/python bench/overview_bench.py --size 10000 [--rounds 5]
        [--engine postgres]  (under deploy/with_postgres.sh, or with DATABASE_URL)

In the search benchmark's data folder (bench/.data/<size>/, the corpus
generated once by `manage.py generate_corpus` and reused; bench/search_bench.py)
it times, through the Django test client in this process, the map's and the
timeline's data for a fixed mix of searches (the whole archive, a text query,
an event type, a governorate, a year), as the public and as a researcher,
and prints p50/p95 with how many testimonies each counted. Both read every
testimony a search matches (search.selectors.testimony_matches): their cost
grows with the size of the result, which is what this measures.
"""

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

# Run as a script from the project root, as the other benchmarks are: their
# folder is on the path.
from search_bench import (
    DATA,
    RESULTS,
    SEED,
    engine_environment,
    environment,
    git_commit,
    manage,
    percentiles,
    rebuild_command,
)

SEARCHES = [
    ("everything", {}),
    ("text", {"q": "checkpoint"}),
    ("event type", {"event_type": "killing"}),
    ("governorate", {"place": "tartus-governorate"}),
    ("year", {"date_from": "2013-01-01", "date_to": "2013-12-31"}),
]
ENDPOINTS = ["/api/map/", "/api/timeline/"]


def measure(client, rounds: int) -> dict:
    """{endpoint: {search: {p50, p95, counted}}} for one client."""
    figures = {}
    for endpoint in ENDPOINTS:
        figures[endpoint] = {}
        for name, params in SEARCHES:
            seconds, counted = [], None
            for _ in range(rounds):
                started = time.perf_counter()
                response = client.get(endpoint, params)
                seconds.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise SystemExit(f"{endpoint} {params}: {response.status_code}")
                counted = response.json()["testimonies"]
            figures[endpoint][name] = {**percentiles(seconds), "counted": counted}
    return figures


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True, help="testimonies")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--results-dir", type=Path, default=RESULTS)
    parser.add_argument(
        "--engine",
        choices=["whoosh", "postgres"],
        help="the search engine (default: as the settings configure it)",
    )
    args = parser.parse_args(argv)
    folder = str(args.size) + ("-postgres" if args.engine == "postgres" else "")
    data_dir = (DATA / folder).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    engine_environment(args.engine)
    env = environment(data_dir)
    env.update(ARCHIVE_RATE_ANON="100000/minute", ARCHIVE_RATE_USER="100000/minute")
    manage("migrate", "--noinput", env=env)
    manage("load_gazetteer", "SY", env=env)
    manage("generate_corpus", str(args.size), "--seed", str(SEED), env=env)
    manage(*rebuild_command(), env=env)

    os.environ.update(env)
    import django

    django.setup()
    from django.test import Client
    from search_bench import researcher_account

    public, researcher = Client(), Client()
    researcher.force_login(researcher_account())
    figures = {
        "benchmark": "map and timeline",
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "size": args.size,
        "engine": args.engine or "as configured",
        "load_average": os.getloadavg(),
        "public": measure(public, args.rounds),
        "researcher": measure(researcher, args.rounds),
    }
    for role in ("public", "researcher"):
        for endpoint in ENDPOINTS:
            for name, row in figures[role][endpoint].items():
                print(
                    f"{role:10} {endpoint:15} {name:12} counted {row['counted']:6}"
                    f"  p50 {row['p50']:8.1f} ms  p95 {row['p95']:8.1f} ms"
                )
    args.results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H%M%SZ")
    out = args.results_dir / f"overview-{stamp}.json"
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"written {out}")
    return figures


if __name__ == "__main__":
    # The project's packages, as for the other benchmarks.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
