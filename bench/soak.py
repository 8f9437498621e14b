"""Searching while the index is written: a soak test of the production stack.

gunicorn with the production settings (bench/load_server.py builds the
installation in a temp folder) answers searches from several client
processes while, at the same time and for the whole run:
- `manage.py rebuild_index` rebuilds the index again and again;
- a saving process edits testimonies (each save rewrites a document);
- a withdrawing process withdraws every consent of one testimony after
  another, through the same service as the site and the command.

Every testimony the soak withdraws carries a word of its own in its text.
Searchers keep asking for the words of testimonies whose withdrawal they
have already seen committed in the database: the answer must find nothing,
count nothing and offer no facet. A testimony found, counted or faceted
after that is a withdrawn testimony that reappeared.

The run fails on any answer other than 200 with a well-formed body, any
failed connection, any traceback in gunicorn's log, any failed rebuild or
write, any reappearance, or if nothing was searched, rebuilt, saved or
withdrawn. Figures are printed and written to bench/results/soak-<date>.json.

    .venv/bin/python bench/soak.py                     # 120 s, 6 searchers
    .venv/bin/python bench/soak.py --duration 20 --searchers 3 --soak-testimonies 60

However short the run, it goes on until each of those has happened at least
once and every searcher has searched for a withdrawn testimony after a
whole rebuild ran under the searches.
"""

import argparse
import datetime
import json
import multiprocessing
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import percentile  # noqa: E402
from load_server import ROOT, Server  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
HTTPS = {"X-Forwarded-Proto": "https"}
# Queries the searchers mix with the withdrawn words: text, filters, Arabic.
QUERIES = [
    {"q": "Banias"},
    {"q": "soak account"},
    {"event_type": "killing"},
    {"q": "بانياس"},
    {"community": "alawite", "event_type": "looting"},
    {},
]
# One withdrawal about every this many seconds.
WITHDRAW_EVERY = 0.4
# However short the run, every searcher goes on past its end until it has
# searched for a withdrawn testimony and the first rebuild has ended (so a
# whole rebuild ran under the searches), unless this many seconds more have
# passed (a withdrawer that failed: reported as such).
OVERRUN_LIMIT = 120

SAVER = """
import os, random, time
from testimonies.models import Testimony
end = time.time() + float(os.environ["SOAK_SECONDS"])
pks = list(Testimony.objects.filter(external_id__startswith="soak-save-")
           .values_list("pk", flat=True))
n = 0
# At least one save, however short the run.
while not n or time.time() < end:
    testimony = Testimony.objects.get(pk=random.choice(pks))
    testimony.summary = f"Summary revised by the soak test, version {n}."
    testimony.save()
    n += 1
    print("saved", flush=True)
"""

WITHDRAWER = """
import json, os, random, time
from testimonies.models import Testimony
from testimonies.consent.services.consent import consent_withdraw
end = time.time() + float(os.environ["SOAK_SECONDS"])
every = float(os.environ["SOAK_WITHDRAW_EVERY"])
pks = list(Testimony.objects.filter(external_id__startswith="soak-withdraw-")
           .values_list("pk", flat=True))
random.shuffle(pks)
for number, pk in enumerate(pks):
    if number and time.time() > end:
        break  # at least one withdrawal, however short the run
    started = time.time()
    testimony = Testimony.objects.get(pk=pk)
    consent_withdraw(testimony=testimony, scopes=None, reason="soak test",
                     obtained_by="soak test")
    print(json.dumps({"id": testimony.external_id,
                      "seconds": time.time() - started}), flush=True)
    time.sleep(every)
"""


# Letters no English or Arabic stemmer takes off a word's end (no vowel, no
# s, l, y, d, g), and a last one that ends no suffix: each soak word stays
# itself once analysed, never the stem of another (a withdrawn one would
# otherwise be "found" as its neighbour).
_LETTERS = "bcfhjkmnprtvwxz"


def marker(number: int) -> str:
    """A word of the soak's own, in one testimony only."""
    letters = ""
    while True:
        number, rest = divmod(number, len(_LETTERS))
        letters = _LETTERS[rest] + letters
        if not number:
            break
    return f"soakword{letters}q"


def soak_testimony(kind: str, number: int) -> dict:
    return {
        "external_id": f"soak-{kind}-{number}",
        # A name that is nowhere in the text (nothing for a person to decide).
        "witness": {"name": "Velimir Zorbanek", "gender": "unknown"},
        "language": "en",
        "narrative": (
            f"Soak account {marker(number)}. Armed men came to Banias in the "
            "morning; shops were looted and a neighbour was killed."
        ),
        "recorded_on": "2025-03-20",
        "incident": {"start": "2025-03-07", "end": "2025-03-08", "precision": "day"},
        "places": ["Banias"],
        "communities": ["alawite"],
        "event_types": ["killing", "looting"],
        "status": "approved",
        "consent": {
            "archive": True,
            "researchers": True,
            "public": True,
            "method": "oral",
            "obtained_by": "soak test",
            "obtained_on": "2025-03-20",
        },
    }


def prepare(server: Server, count: int, corpus: int) -> dict[str, str]:
    """The installation, the soak's testimonies (half to save, half to
    withdraw) and the index, in one Python process. Returns {external id:
    word} of those to be withdrawn."""
    lines, words = [], {}
    for number in range(count):
        kind = "withdraw" if number % 2 else "save"
        line = soak_testimony(kind, number)
        lines.append(json.dumps(line))
        if kind == "withdraw":
            words[line["external_id"]] = marker(number)
    path = server.data_dir / "soak.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    steps = [("import_testimonies", str(path))]
    if corpus:
        steps.append(("generate_corpus", str(corpus), "--seed", "1"))
    server.prepare(before_index=steps)
    return words


def withdrawn_so_far(database: Path) -> list[str]:
    """External ids of the soak testimonies whose withdrawal is committed."""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        rows = db.execute(
            "SELECT external_id FROM testimonies_testimony"
            " WHERE external_id LIKE 'soak-withdraw-%' AND status = 'withdrawn'"
        ).fetchall()
    return [row[0] for row in rows]


def searching(end: float, checks: int, rebuilt: Path) -> bool:
    """Until the end, and past it until this searcher has searched for a
    withdrawn testimony and the first rebuild has ended (OVERRUN_LIMIT)."""
    now = time.time()
    if now < end:
        return True
    return now < end + OVERRUN_LIMIT and not (checks and rebuilt.exists())


def searcher(job) -> dict:
    """One client process: searches until the end, half of them for words
    of testimonies already withdrawn."""
    url, end, database, words, seed = job
    rebuilt = database.parent / REBUILT
    rng = random.Random(seed)
    stats = {"searches": 0, "checks": 0, "errors": [], "reappeared": [], "ms": []}
    with httpx.Client(base_url=url, headers=HTTPS, timeout=60) as client:
        while searching(end, stats["checks"], rebuilt):
            withdrawn = withdrawn_so_far(database) if rng.random() < 0.5 else []
            checking = bool(withdrawn)
            if checking:
                external_id = rng.choice(withdrawn)
                params = {"q": words[external_id]}
            else:
                params = dict(rng.choice(QUERIES))
            path = "/api/search/" if checking or rng.random() < 0.7 else "/search/"
            started = time.perf_counter()
            try:
                response = client.get(path, params=params)
            except httpx.HTTPError as error:
                stats["errors"].append(f"{path} {type(error).__name__}")
                continue
            stats["ms"].append((time.perf_counter() - started) * 1000)
            stats["searches"] += 1
            if response.status_code != 200:
                stats["errors"].append(f"{path} {response.status_code}")
                continue
            if path == "/search/":
                continue  # the page shows the words asked: checked by the API
            try:
                answer = response.json()
            except ValueError:
                stats["errors"].append(f"{path} not JSON")
                continue
            if checking:
                stats["checks"] += 1
                faceted = any(answer["facets"].values())
                if answer["count"] or answer["results"] or faceted:
                    stats["reappeared"].append(external_id)
    return stats


def last_look(url, database, words) -> dict:
    """Every withdrawn testimony asked for once more, once all is quiet."""
    stats = {"reappeared": []}
    with httpx.Client(base_url=url, headers=HTTPS, timeout=60) as client:
        for external_id in withdrawn_so_far(database):
            answer = client.get("/api/search/", params={"q": words[external_id]})
            body = answer.json()
            if body["count"] or body["results"] or any(body["facets"].values()):
                stats["reappeared"].append(external_id)
    return stats


class Background:
    """A manage.py process of the installation, its output read as it comes."""

    def __init__(self, server: Server, args, env=None):
        self.lines: list[str] = []
        self.process = subprocess.Popen(  # noqa: S603 (our interpreter, our args)
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**server.env, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def finish(self, timeout=120) -> int:
        code = self.process.wait(timeout=timeout)
        self.reader.join(timeout=10)
        self.errors = self.process.stderr.read()
        return code


# Written in the data folder once the first rebuild has ended.
REBUILT = "soak-rebuilt"


def rebuild_loop(server: Server, end: float, outcome: dict):
    """rebuild_index again and again until the end (the first always runs;
    the last may run over)."""
    while not (outcome["done"] or outcome["failed"]) or time.time() < end:
        started = time.monotonic()
        done = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "rebuild_index", "--workers", "1"],
            cwd=ROOT,
            env=server.env,
            capture_output=True,
            text=True,
        )
        outcome["seconds"].append(time.monotonic() - started)
        if done.returncode:
            outcome["failed"].append(done.stderr[-2000:])
        else:
            outcome["done"] += 1
        (server.data_dir / REBUILT).touch()


def soak(
    *, duration, searchers, workers, count, corpus, keep=False, prepared=None
) -> dict:
    server = Server(
        workers=workers, researchers=0, writers=0, keep=keep, prepared=prepared
    )
    try:
        print("Preparing a production server in a temp folder...", flush=True)
        words = prepare(server, count, corpus)
        server.start()
        print(f"Soaking {server.url} for {duration:g} s...", flush=True)
        env = {
            "SOAK_SECONDS": str(duration),
            "SOAK_WITHDRAW_EVERY": str(WITHDRAW_EVERY),
        }
        end = time.time() + duration
        saver = Background(server, ["shell", "-c", SAVER], env)
        withdrawer = Background(server, ["shell", "-c", WITHDRAWER], env)
        rebuilds = {"done": 0, "failed": [], "seconds": []}
        rebuilder = threading.Thread(target=rebuild_loop, args=(server, end, rebuilds))
        rebuilder.start()
        database = server.data_dir / "archive.sqlite3"
        jobs = [(server.url, end, database, words, n) for n in range(searchers)]
        with multiprocessing.get_context("spawn").Pool(searchers) as pool:
            stats = pool.map(searcher, jobs)
        # The searches may run past the duration (OVERRUN_LIMIT).
        searched_s = max(time.time() - end + duration, duration)
        rebuilder.join()
        writes_failed = [
            f"{name} exited {code}: {process.errors[-2000:]}"
            for name, process in [("saver", saver), ("withdrawer", withdrawer)]
            if (code := process.finish())
        ]
        final = last_look(server.url, database, words)
        server.stop()
        log = server.log_text()
    finally:
        server.stop()
        server.clean_up()
    withdrawals = [json.loads(x) for x in withdrawer.lines if x.startswith("{")]
    latencies = [ms for s in stats for ms in s["ms"]]
    errors = [e for s in stats for e in s["errors"]]
    reappeared = sorted({r for s in [*stats, final] for r in s["reappeared"]})
    tracebacks = log.count("Traceback (most recent call last)")
    figures = {
        "benchmark": "soak",
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "setup": {
            "duration_s": duration,
            "searcher_processes": searchers,
            "gunicorn_workers": workers,
            "soak_testimonies": count,
            "corpus": corpus,
            "cores": os.cpu_count(),
            "load_average": round(os.getloadavg()[0], 1),
        },
        "searches": len(latencies),
        "searched_s": round(searched_s, 1),
        "searches_per_s": round(len(latencies) / searched_s, 1),
        "search_ms": {
            "p50": round(percentile([ms / 1000 for ms in latencies], 0.5)),
            "p95": round(percentile([ms / 1000 for ms in latencies], 0.95)),
            "p99": round(percentile([ms / 1000 for ms in latencies], 0.99)),
        },
        "checks_of_withdrawn": sum(s["checks"] for s in stats),
        "errors": len(errors),
        "error_examples": errors[:10],
        "reappeared": len(reappeared),
        "reappeared_ids": reappeared,
        "tracebacks": tracebacks,
        "rebuilds": rebuilds["done"],
        "rebuilds_failed": len(rebuilds["failed"]),
        # What the failed rebuilds printed last, so a failure can be diagnosed.
        "rebuild_failures": rebuilds["failed"][:2],
        "rebuild_s_p50": round(percentile(rebuilds["seconds"], 0.5) / 1000, 1),
        "saves": sum(1 for line in saver.lines if line == "saved"),
        "withdrawals": len(withdrawals),
        "withdrawal_ms": {
            "p50": round(percentile([w["seconds"] for w in withdrawals], 0.5)),
            "p95": round(percentile([w["seconds"] for w in withdrawals], 0.95)),
        },
        "writes_failed": writes_failed,
    }
    figures["passed"] = not (
        figures["errors"]
        or figures["reappeared"]
        or figures["tracebacks"]
        or figures["rebuilds_failed"]
        or writes_failed
        or not figures["rebuilds"]
        or not figures["saves"]
        or not figures["withdrawals"]
        or not figures["checks_of_withdrawn"]
    )
    return figures


def report(figures: dict) -> str:
    setup = figures["setup"]
    ms, wms = figures["search_ms"], figures["withdrawal_ms"]
    rows = [
        ("searches", f"{figures['searches']} ({figures['searches_per_s']}/s)"),
        ("search p50 / p95 / p99 ms", f"{ms['p50']} / {ms['p95']} / {ms['p99']}"),
        ("errors (non-200, failed, malformed)", figures["errors"]),
        ("tracebacks in the server's log", figures["tracebacks"]),
        ("searches for a withdrawn testimony", figures["checks_of_withdrawn"]),
        ("withdrawn testimonies that reappeared", figures["reappeared"]),
        ("index rebuilds completed (failed)", (
            f"{figures['rebuilds']} ({figures['rebuilds_failed']}), "
            f"{figures['rebuild_s_p50']} s each"
        )),
        ("saves", figures["saves"]),
        ("withdrawals, p50 / p95 ms", (
            f"{figures['withdrawals']}, {wms['p50']} / {wms['p95']}"
        )),
    ]  # fmt: skip
    lines = [
        f"{setup['duration_s']:g} s, {setup['searcher_processes']} searching "
        f"processes, {setup['gunicorn_workers']} gunicorn workers, "
        f"{setup['soak_testimonies']} soak testimonies + {setup['corpus']} corpus",
        "",
        "| | |",
        "|---|--:|",
        *[f"| {name} | {value} |" for name, value in rows],
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=120)
    parser.add_argument("--searchers", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--soak-testimonies", type=int, default=400)
    parser.add_argument(
        "--corpus", type=int, default=2000, help="generated testimonies besides"
    )
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument(
        "--prepared",
        type=Path,
        help="start from a copy of this prepared installation (bench/load_server.py)",
    )
    options = parser.parse_args(argv)
    figures = soak(
        duration=options.duration,
        searchers=options.searchers,
        workers=options.workers,
        count=options.soak_testimonies,
        corpus=options.corpus,
        keep=options.keep,
        prepared=options.prepared,
    )
    print(report(figures))
    options.results.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H%M%SZ")
    out = options.results / f"soak-{stamp}.json"
    out.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(f"figures written to {out}")
    print("PASSED" if figures["passed"] else "FAILED")
    return 0 if figures["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
