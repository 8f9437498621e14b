"""Load test: concurrent searchers, researchers and documenters against the
production server on loopback, for a fixed time.

    .venv/bin/python bench/load.py [--duration 60] [--searchers 12]
        [--researchers 6] [--writers 2] [--workers 2] [--url URL --accounts FILE]

Without --url it provisions and starts its own gunicorn (bench/load_server.py).
Prints, per kind of request, the count, throughput, p50/p95/p99 latency and
4xx/5xx counts; then lost writes and index errors. Writes the same figures as
JSON to bench/results/load-<date>.json. Exits 1 if any request failed with a
5xx or in transport, a flow got a status it did not expect, a confirmed write
is missing, the audit chain does not verify, or the server logged an index
error or a traceback.
"""

import argparse
import asyncio
import datetime
import json
import math
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_clients import Client, Recorder, researcher, searcher, writer  # noqa: E402
from load_server import Accounts, Server  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
# The index's own success messages ("search index: 3 updated, 0 removed").
INDEX_OK = re.compile(
    r"search index: \d+ (updated, \d+ removed|documents purged"
    r"|pending changes replayed)"
)
INDEX_TROUBLE = re.compile(r"search index|whoosh|LockError|index.*(error|fail)", re.I)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1] * 1000


def log_problems(text: str) -> dict:
    """Tracebacks and index errors in the server's log."""
    lines = text.splitlines()
    tracebacks = sum(1 for line in lines if line.startswith("Traceback"))
    index_errors = [
        line
        for line in lines
        if INDEX_TROUBLE.search(line) and not INDEX_OK.search(line)
    ]
    index_writes = sum(1 for line in lines if INDEX_OK.search(line))
    return {
        "tracebacks": tracebacks,
        "index_errors": len(index_errors),
        "index_writes": index_writes,
    }


def summarise(recorder: Recorder, duration: float) -> dict:
    kinds = {}
    for kind, outcome in sorted(recorder.kinds.items()):
        count = sum(outcome.statuses.values())
        kinds[kind] = {
            "count": count,
            "per_second": round(count / duration, 2),
            "p50_ms": round(percentile(outcome.latencies, 0.50), 1),
            "p95_ms": round(percentile(outcome.latencies, 0.95), 1),
            "p99_ms": round(percentile(outcome.latencies, 0.99), 1),
            "4xx": sum(n for s, n in outcome.statuses.items() if 400 <= s < 500),
            "429": outcome.statuses.get(429, 0),
            "5xx": sum(n for s, n in outcome.statuses.items() if s >= 500),
            "unexpected": outcome.unexpected,
            "transport_errors": outcome.transport_errors,
        }
    every = [x for o in recorder.kinds.values() for x in o.latencies]
    total = {
        key: sum(k[key] for k in kinds.values())
        for key in ["count", "4xx", "429", "5xx", "unexpected", "transport_errors"]
    }
    total["per_second"] = round(total["count"] / duration, 2)
    for name, share in [("p50_ms", 0.5), ("p95_ms", 0.95), ("p99_ms", 0.99)]:
        total[name] = round(percentile(every, share), 1)
    api = {"answered": recorder.api_answers, "with_results": recorder.api_hits}
    return {"kinds": kinds, "total": total, "api": api}


def lost_writes(recorder: Recorder, before: dict | None, after: dict | None) -> dict:
    """Confirmed saves missing from the consent page's history, and (with our
    own server) from the database's consent records and audit entries."""
    lost = {"confirmed_saves": sum(recorder.saved.values()), "missing": 0, "checks": []}
    for public_id, start in recorder.history_before.items():
        saved = recorder.saved.get(public_id, 0)
        end = recorder.history_after.get(public_id)
        if start is None or end is None:
            lost["missing"] += saved or 1  # unverifiable counts as lost
            continue
        lost["missing"] += max(0, start + saved - end)
        lost["checks"].append(("page", public_id, start, saved, end))
    if before is not None and after is not None:
        for public_id in recorder.history_before:
            saved = recorder.saved.get(public_id, 0)
            for column in ["consent_records", "audit_entries"]:
                start = before[public_id][column]
                end = after[public_id][column]
                # More rows than confirmed saves is also wrong: a save that
                # reported failure must not have happened.
                lost["missing"] += abs(start + saved - end)
                lost["checks"].append((column, public_id, start, saved, end))
    return lost


def print_report(summary: dict, lost: dict, problems: dict, setup: dict) -> None:
    print(
        f"\nLoad test: {setup['duration']} s, {setup['clients']} clients "
        f"({setup['searchers']} searchers, {setup['researchers']} researchers, "
        f"{setup['writers']} writers), {setup['workers']} gunicorn workers\n"
    )
    header = (
        f"{'request':<28} {'count':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'4xx':>5} {'429':>5} {'5xx':>5} {'other':>5}"
    )
    print(header)
    print("-" * len(header))
    rows = [*summary["kinds"].items(), ("TOTAL", summary["total"])]
    for kind, row in rows:
        print(
            f"{kind:<28} {row['count']:>6} {row['per_second']:>7.2f} "
            f"{row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {row['p99_ms']:>8.1f} "
            f"{row['4xx']:>5} {row['429']:>5} {row['5xx']:>5} "
            f"{row['unexpected'] + row['transport_errors']:>5}"
        )
    print(
        f"\nwrites confirmed: {lost['confirmed_saves']}, lost writes: {lost['missing']}"
        f"\nindex errors in the log: {problems['index_errors']}, "
        f"tracebacks: {problems['tracebacks']}, "
        f"index writes logged: {problems.get('index_writes', 'n/a')}"
    )
    print(
        f"API searches answered: {summary['api']['answered']}, "
        f"with results: {summary['api']['with_results']}"
    )
    if "audit" in setup:
        print(f"audit chain: {setup['audit']}")


async def drive(url: str, accounts: Accounts, options) -> tuple[Recorder, float]:
    recorder = Recorder()
    rng = random.Random(options.seed)
    started = time.monotonic()
    deadline = started + options.duration
    tasks, clients = [], []

    def client(n):
        made = Client(
            base_url=url,
            recorder=recorder,
            deadline=deadline,
            address=f"10.0.{n // 250}.{n % 250 + 1}",
            think=options.think,
        )
        clients.append(made)
        return made, random.Random(rng.random())

    n = 0
    for _ in range(options.searchers):
        tasks.append(searcher(*client(n)))
        n += 1
    for account in accounts.researchers[: options.researchers]:
        tasks.append(researcher(*client(n), account))
        n += 1
    for account in accounts.writers[: options.writers]:
        tasks.append(writer(*client(n), account))
        n += 1
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - started
    for made in clients:
        await made.close()
    return recorder, elapsed


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--searchers", type=int, default=12)
    parser.add_argument("--researchers", type=int, default=6)
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--think", type=float, default=0.0, help="pause (s)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--url", help="drive this server instead of starting one")
    parser.add_argument(
        "--accounts",
        type=Path,
        help='with --url: JSON {"researchers": [[user, password]], "writers": [...]}',
    )
    parser.add_argument(
        "--server-log", type=Path, help="with --url: the server's log, to scan"
    )
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    parser.add_argument(
        "--prepared",
        type=Path,
        help="start from a copy of this prepared installation (bench/load_server.py)",
    )
    parser.add_argument("--results", type=Path, default=RESULTS)
    options = parser.parse_args(argv)
    if options.url and not options.accounts:
        parser.error("--url needs --accounts")
    return options


def main(argv=None) -> int:
    options = parse(argv)
    server = None
    before = after = None
    setup = {
        "duration": options.duration,
        "searchers": options.searchers,
        "researchers": options.researchers,
        "writers": options.writers,
        "clients": options.searchers + options.researchers + options.writers,
        "workers": options.workers,
    }
    try:
        if options.url:
            url, accounts = (
                options.url.rstrip("/"),
                Accounts.from_file(options.accounts),
            )
            setup["workers"] = "unknown (--url)"
        else:
            print("Preparing a production server in a temp folder...", flush=True)
            server = Server(
                workers=options.workers,
                researchers=options.researchers,
                writers=options.writers,
                keep=options.keep,
                prepared=options.prepared,
            )
            # The counts before the run, as the set-up leaves them.
            printed = server.prepare(after=[server.COUNT_WRITES_STEP])
            before = server.write_counts(printed)
            server.start()
            url, accounts = server.url, server.accounts
        print(f"Driving {url} for {options.duration:g} s...", flush=True)
        recorder, elapsed = asyncio.run(drive(url, accounts, options))
        # With --url the server's log is elsewhere: read it there.
        problems = {"index_errors": 0, "tracebacks": 0, "index_writes": None}
        if options.server_log:
            problems = log_problems(options.server_log.read_text(errors="replace"))
        if server:
            server.stop()
            after, setup["audit"] = server.final_checks()
            problems = log_problems(server.log_text())
    finally:
        if server:
            server.stop()
            server.clean_up()
    summary = summarise(recorder, elapsed)
    lost = lost_writes(recorder, before, after)
    print_report(summary, lost, problems, setup)
    total = summary["total"]
    missing_clients = len(recorder.history_before) == 0 and options.writers > 0
    # Searches that never find anything mean an empty or broken index.
    blind = summary["api"]["answered"] > 0 and summary["api"]["with_results"] == 0
    failed = bool(
        total["5xx"]
        or total["unexpected"]
        or total["transport_errors"]
        or lost["missing"]
        or problems["index_errors"]
        or problems["tracebacks"]
        or missing_clients
        or blind
    )
    options.results.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H%M%SZ")
    out = options.results / f"load-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "setup": setup,
                "elapsed_s": round(elapsed, 2),
                **summary,
                "lost_writes": lost,
                "log": problems,
                "passed": not failed,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    print(f"figures written to {out}")
    if missing_clients:
        print("FAILED: no writer reached its testimonies", file=sys.stderr)
    if blind:
        print("FAILED: no search found anything", file=sys.stderr)
    print("PASSED" if not failed else "FAILED")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
