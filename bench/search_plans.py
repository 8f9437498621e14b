"""The query plans of the PostgreSQL engine's search: the search benchmark's
query mix sent to /api/search/ in this process, the SQL of each request
captured, and every statement on the index run again under
`EXPLAIN (ANALYZE, BUFFERS)`.

    DATABASE_URL=postgres://... .venv/bin/python bench/search_plans.py \\
        --size 100000 [--grown-from N] [--audience public]

On the data folder and database bench/search_bench.py --engine postgres
used (run it at that size first). After one warm-up round (--no-warm-up
right after the benchmark, whose rounds warmed the database), for each query
and audience: a line with the query class, the audience, the API's time,
the count, the queries of the request, those on the index and their
seconds; then, for the audiences asked (--audience, default the public),
each index statement, its SQL cut at 600 characters, and its plan.
Written to bench/results/postgres-plans-<date>.txt.
"""

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

from search_bench import (
    API,
    DATA,
    RESULTS,
    engine_environment,
    environment,
    git_commit,
    query_mix,
    researcher_account,
)

SQL_SHOWN = 600


def _plan(cursor, sql: str) -> list[str]:
    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
    return [row[0] for row in cursor.fetchall()]


def plans(mix, clients: dict, explained: set[str]) -> list[str]:
    """The lines of the file (see the module's docstring)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lines = []
    for kind, params in mix:
        for audience, client in clients.items():
            with CaptureQueriesContext(connection) as captured:
                started = time.monotonic()
                answer = client.get(API, params)
                elapsed = time.monotonic() - started
            if answer.status_code != 200:
                raise RuntimeError(f"{API} {params}: {answer.status_code}")
            index = [
                q
                for q in captured.captured_queries
                if "search_searchdocument" in q["sql"]
            ]
            lines.append(
                f"{kind:<15} {audience:<10} {elapsed * 1000:>7.0f} ms  "
                f"count={answer.json()['count']} queries={len(captured)} "
                f"index={len(index)} "
                + " ".join(q["time"] for q in index)
                + " "
                + json.dumps(params, ensure_ascii=False)
            )
            if audience not in explained:
                continue
            with connection.cursor() as cursor:
                for query in index:
                    lines.append(f"   SQL: {query['sql'][:SQL_SHOWN]}")
                    lines.extend(f"   {line}" for line in _plan(cursor, query["sql"]))
    return lines


def main(argv=None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True, help="testimonies")
    parser.add_argument(
        "--grown-from", type=int, metavar="N", help="as search_bench.py's"
    )
    parser.add_argument("--data-dir", type=Path, help="as search_bench.py's")
    parser.add_argument(
        "--audience",
        action="append",
        choices=["public", "researcher"],
        help="whose statements are explained (repeatable; default the public)",
    )
    parser.add_argument(
        "--no-warm-up",
        action="store_true",
        help="no warm-up round (right after the benchmark, whose rounds warmed "
        "the same database)",
    )
    parser.add_argument("--results-dir", type=Path, default=RESULTS)
    parser.add_argument("--note", default="", help="the file's first lines")
    args = parser.parse_args(argv)
    folder = f"{args.grown_from or args.size}-postgres"
    data_dir = (args.data_dir or DATA / folder).resolve()
    engine_environment("postgres")
    os.environ.update(environment(data_dir))
    import django

    django.setup()
    from django.test import Client

    from bench.corpus.generator import Vocabulary
    from search.postgres.models import SearchDocument

    clients = {"public": Client(), "researcher": Client()}
    clients["researcher"].force_login(researcher_account())
    mix = query_mix(Vocabulary.load())
    run = datetime.datetime.now(datetime.UTC)
    load = os.getloadavg()
    for _kind, params in [] if args.no_warm_up else mix:  # the warm-up round
        for client in clients.values():
            client.get(API, params)
    lines = plans(mix, clients, set(args.audience or ["public"]))
    documents = SearchDocument.objects.count()
    header = [
        f"EXPLAIN (ANALYZE, BUFFERS) of the SQL the PostgreSQL engine issues for "
        f"the search benchmark's query mix at {args.size:,} testimonies "
        f"({documents:,} documents), {run.isoformat(timespec='seconds')}, "
        f"commit {git_commit()}, load average {load[0]:.1f} at the start and "
        f"{os.getloadavg()[0]:.1f} at the end.",
        *([args.note] if args.note else []),
        "",
    ]
    args.results_dir.mkdir(parents=True, exist_ok=True)
    target = args.results_dir / f"postgres-plans-{run.strftime('%Y-%m-%dT%H%M%SZ')}.txt"
    target.write_text("\n".join(header + lines) + "\n", encoding="utf-8")
    print(f"written to {target}")
    return target


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here.parent))
    sys.path.insert(0, str(here))
    main()
