"""Replication lag: how long after a commit on the primary its streaming
replicas show it.

    deploy/with_postgres.sh --replicas 2 .venv/bin/python bench/replica_lag.py

Against the primary and replicas deploy/with_postgres.sh starts
(ARCHIVE_TEST_DATABASE_URL, ARCHIVE_TEST_REPLICA_URLS): a row is inserted and
committed on the primary, then each replica is polled until it shows the
row; then the row is deleted (as a withdrawal deletes a search document) and
each replica polled until it no longer shows it. The primary's commits
are made with synchronous_commit on (PostgreSQL's default, a production
primary's) unless --asynchronous-commit, as the throwaway cluster runs:
then the WAL reaches the replicas only at the WAL writer's next flush
(wal_writer_delay, 200 ms). Prints p50/p95/max per replica in milliseconds
and writes them to bench/results/replica-lag-<date>.json.
What the lag means for a search: docs/search.md, Read replicas.
"""

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
POLL = 0.0005  # seconds between two looks at a replica
TIMEOUT = 30.0


def percentiles(seconds: list[float]) -> dict:
    ordered = sorted(seconds)

    def rank(share):
        return round(ordered[max(0, round(share * len(ordered)) - 1)] * 1000, 2)

    return {
        "p50": rank(0.5),
        "p95": rank(0.95),
        "max": rank(1.0),
        "samples": len(ordered),
    }


def until(replica, row_id: int, *, present: bool) -> float:
    started = time.monotonic()
    while True:
        (shown,) = replica.execute(
            "SELECT count(*) FROM replica_lag_probe WHERE id = %s", [row_id]
        ).fetchone()
        if bool(shown) == present:
            return time.monotonic() - started
        if time.monotonic() - started > TIMEOUT:
            raise RuntimeError("a replica did not catch up")
        time.sleep(POLL)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--asynchronous-commit", action="store_true")
    args = parser.parse_args(argv)
    primary_url = os.environ["ARCHIVE_TEST_DATABASE_URL"]
    replica_urls = [u for u in os.environ["ARCHIVE_TEST_REPLICA_URLS"].split(",") if u]
    primary = psycopg.connect(primary_url, autocommit=True)
    synchronous = "off" if args.asynchronous_commit else "on"
    primary.execute(f"SET synchronous_commit = {synchronous}")
    replicas = [psycopg.connect(url, autocommit=True) for url in replica_urls]
    primary.execute("CREATE TABLE IF NOT EXISTS replica_lag_probe (id int PRIMARY KEY)")
    for replica in replicas:
        started = time.monotonic()
        while not replica.execute(
            "SELECT to_regclass('replica_lag_probe') IS NOT NULL"
        ).fetchone()[0]:
            if time.monotonic() - started > TIMEOUT:
                raise RuntimeError("a replica did not catch up")
            time.sleep(POLL)
    shown = [[] for _ in replicas]
    gone = [[] for _ in replicas]
    for number in range(args.samples):
        primary.execute("INSERT INTO replica_lag_probe VALUES (%s)", [number])
        committed = time.monotonic()
        for n, replica in enumerate(replicas):
            until(replica, number, present=True)
            shown[n].append(time.monotonic() - committed)
        primary.execute("DELETE FROM replica_lag_probe WHERE id = %s", [number])
        committed = time.monotonic()
        for n, replica in enumerate(replicas):
            until(replica, number, present=False)
            gone[n].append(time.monotonic() - committed)
    primary.execute("DROP TABLE replica_lag_probe")
    run = datetime.datetime.now(datetime.UTC)
    figures = {
        "benchmark": "replica_lag",
        "date": run.isoformat(timespec="seconds"),
        "load_average": os.getloadavg(),
        "cpus": os.cpu_count(),
        "synchronous_commit": synchronous,
        "replicas": [
            {"insert_shown_ms": percentiles(s), "delete_shown_ms": percentiles(g)}
            for s, g in zip(shown, gone, strict=True)
        ],
    }
    for number, replica in enumerate(figures["replicas"], 1):
        for what, block in replica.items():
            print(
                f"replica {number} {what}: p50 {block['p50']} p95 {block['p95']} "
                f"max {block['max']} ({block['samples']} samples)"
            )
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"replica-lag-{run.strftime('%Y-%m-%dT%H%M%SZ')}.json"
    target.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"written to {target}")
    return figures


if __name__ == "__main__":
    sys.exit(main() and 0)
