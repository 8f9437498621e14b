"""Search benchmark: how the archive's search holds up at N testimonies.

    .venv/bin/python bench/search_bench.py --size 10000
    .venv/bin/python bench/search_bench.py --size 100000 [--rounds 5] [--samples 30]
    deploy/with_postgres.sh .venv/bin/python bench/search_bench.py --size 10000 \
        --engine postgres

In its own data folder (bench/.data/<size>/, git-ignored; the corpus is
generated once by `manage.py generate_corpus` and reused) it measures, with
whatever search engine the settings configure, or the one --engine names
(`postgres`: PostgreSQL's full-text search, on the PostgreSQL database of
DATABASE_URL, else of ARCHIVE_TEST_DATABASE_URL as deploy/with_postgres.sh
sets it; its data folder is then bench/.data/<size>-postgres):

- the full rebuild, with the command the Makefile uses (testimonies/s);
- save-to-searchable: a testimony saved through the import service, then the
  index polled until it finds it (p50/p95);
- withdrawal-to-gone: consent withdrawn through the service while 4 other
  processes save testimonies, then the index polled until it no longer
  finds it (p50/p95);
- a fixed mix of queries (text, text and two filters, filters only; always
  with facet counts and highlighted excerpts) as the public and as a
  researcher: /api/search/ and the HTML page /search/ through the Django
  test client in a web process of its own, side by side with the raw
  Whoosh engine on the same index (one open searcher) and SQLite FTS5
  over the same redacted documents, both in this process (p50/p95), and
  the ratios of the p95s (API to FTS5, HTML page to API) by query class;
- the peak memory (ru_maxrss) of that web process, and of this process
  after each phase;
- the machine's load average at the start, before the queries and at the
  end (the machine may be shared).

With --grown-from N (PostgreSQL only), the corpus is the first N
testimonies, generated and indexed as above, then grown to --size by
copying their rows in SQL (bench/corpus/replicate.py: the search measured at
that size over repeated texts; the rebuild figures are the rebuild at N).

Prints the figures and writes them to bench/results/<date>.json; the
"Search benchmark" table of docs/search.md is rendered from it by
bench/results_table.py. Each phase's run time is printed and kept too.
"""

import argparse
import datetime
import json
import math
import multiprocessing
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DATA = ROOT / "bench" / ".data"
SETTINGS = "archive.settings.bench"
API, PAGE = "/api/search/", "/search/"
SAVERS = 4
SEED = 1
POLL = 0.005  # seconds between two looks at the index
TIMEOUT = 60.0  # a document not found (or still found) after this fails the run

# The fixed mix: (kind, parameters). Facet values are among the most
# frequent of the generated corpus (bench.corpus.generator draws with Zipf's law).
QUERIES = [
    ("text", {"q": "checkpoint"}),
    ("text", {"q": "armed men"}),
    ("text", {"q": "الحاجز"}),
    ("text", {"q": "مسلحون البيت"}),
    ("text+2 filters", {"q": "shooting", "community": ["alawite"], "event_type": []}),
    ("text+2 filters", {"q": "الجثث", "place": [], "event_type": []}),
    ("text+2 filters", {"q": "looted", "place": [], "community": ["alawite"]}),
    ("filters only", {"place": [], "event_type": []}),
    ("filters only", {"community": ["alawite"], "event_type": []}),
]


def percentiles(seconds: list[float]) -> dict:
    """p50 and p95 (nearest rank) in milliseconds, and the sample count."""
    if not seconds:
        return {"p50": None, "p95": None, "samples": 0}
    ordered = sorted(seconds)

    def rank(share):
        return round(ordered[max(1, math.ceil(share * len(ordered))) - 1] * 1000, 2)

    return {"p50": rank(0.50), "p95": rank(0.95), "samples": len(ordered)}


def peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM, which starts
    again with the process's own program: ru_maxrss keeps the parent's
    resident size at the fork across the exec, so a web process started by
    a benchmark that had mapped the whole index read as large as it."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def environment(data_dir: Path) -> dict:
    env = dict(os.environ)
    env.update(ARCHIVE_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE=SETTINGS)
    return env


def engine_environment(engine: str | None) -> None:
    """Set this process's environment (inherited by every process the
    benchmark starts) for the engine --engine names."""
    if engine is None:
        return
    os.environ["ARCHIVE_SEARCH_ENGINE"] = engine
    if engine != "postgres":
        return
    url = os.environ.get("DATABASE_URL") or os.environ.get("ARCHIVE_TEST_DATABASE_URL")
    if not url or not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "--engine postgres needs a PostgreSQL database: DATABASE_URL, or "
            "run under deploy/with_postgres.sh"
        )
    os.environ["DATABASE_URL"] = url


# The data folder's database and corpus (migrate and the gazetteer quietly).
PREPARE = """
import io
from django.core.management import call_command
call_command("migrate", "--noinput", stdout=io.StringIO())
call_command("load_gazetteer", "SY", stdout=io.StringIO())
call_command("generate_corpus", "%(size)d", "--seed", "%(seed)d")
"""


# Growing the corpus by copying (bench/corpus/replicate.py).
GROW = """
from bench.corpus.replicate import corpus_grow
result = corpus_grow(source_count=%(source_count)d, count=%(size)d, seed=%(seed)d)
print(f"{result.created} copied ({result.witnesses} witnesses, "
      f"{result.documents} documents, {result.vectors_computed} vectors "
      f"computed again), {result.skipped} already there, in {result.seconds:.1f} s")
"""


def manage(*args: str, env: dict, quiet: bool = True) -> float:
    """Run manage.py with our interpreter; returns the seconds it took."""
    started = time.monotonic()
    subprocess.run(  # noqa: S603 - our interpreter, our arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )
    return time.monotonic() - started


def rebuild_command(makefile: Path = ROOT / "Makefile") -> list[str]:
    """The manage.py command `make run` builds the search index with."""
    for line in makefile.read_text(encoding="utf-8").splitlines():
        found = re.match(r"\s+\$\(MANAGE\)\s+(\S*index\S*)(.*)$", line)
        if found:
            return [found.group(1), *found.group(2).split()]
    raise RuntimeError("no index command in the Makefile")


class Phases:
    """Run time and peak memory after each phase."""

    def __init__(self):
        self.seconds, self.rss = {}, {}

    def run(self, name, function, *args, **kwargs):
        print(f"… {name}", flush=True)
        started = time.monotonic()
        value = function(*args, **kwargs)
        self.seconds[name] = round(time.monotonic() - started, 1)
        self.rss[name] = peak_rss_mb()
        print(f"  {name}: {self.seconds[name]} s", flush=True)
        return value


# In this process, once Django is set up -------------------------------------


def unique_word(number: int, run: str) -> str:
    """A made-up word that no other document holds (letters only, so that
    every analyzer keeps it whole)."""
    letters = "bcdfghjkmnpqrstvwxz"
    digits = []
    for value in (int(run), number):
        while True:
            value, rest = divmod(value, len(letters))
            digits.append(letters[rest])
            if not value:
                break
        digits.append("y")
    return "zq" + "".join(digits)


def found(word: str) -> bool:
    from haystack.inputs import Exact
    from haystack.query import SearchQuerySet

    return SearchQuerySet().filter(content=Exact(word)).count() > 0


def wait_until(condition, *args) -> float:
    started = time.monotonic()
    while not condition(*args):
        if time.monotonic() - started > TIMEOUT:
            raise RuntimeError(f"index did not change within {TIMEOUT} s")
        time.sleep(POLL)
    return time.monotonic() - started


def save_to_searchable(samples: int, run: str) -> tuple[dict, list]:
    """Testimonies saved one at a time through the import service, each
    with a word of its own; the time until a search finds each."""
    from bench.corpus.generator import Vocabulary, corpus_row
    from testimonies.imports.services import testimonies_import
    from testimonies.models import Testimony

    vocabulary = Vocabulary.load()
    timings, saved = [], []
    number = -1
    while len(timings) < samples:
        number += 1
        if number > samples * 5:
            raise RuntimeError(f"only {len(timings)} of {number} saves were released")
        row = corpus_row(number, seed=SEED, vocabulary=vocabulary)
        word = unique_word(number, run)
        row.external_id = f"bench-{run}-{number}"
        row.narrative = f"{row.narrative} {word}"
        row.status = "approved"
        row.consent.update(archive=True, researchers=True, public=True)
        row.consent["embargo_until"] = None
        row.withdrawal = None
        started = time.monotonic()
        testimonies_import(rows=[row], source="search_bench")
        testimony = Testimony.objects.get(external_id=row.external_id)
        if testimony.status != "approved":
            # Held for a moderator (a word that may be a name waits for a
            # decision): never searchable, as it should be. The next row.
            continue
        wait_until(found, word)
        timings.append(time.monotonic() - started)
        saved.append((testimony.pk, word))
    return percentiles(timings), saved


def _saver(
    data_dir: str, worker: int, stop, counter, failures, ready, sources=None
) -> None:
    """One of the processes saving testimonies during the withdrawals: it
    saves its share of the corpus again (a documenter's edit) in a loop.
    A save whose index write fails (the index stayed locked past its
    timeout) is counted and the loop goes on: that count is a figure."""
    os.environ.update(environment(Path(data_dir)))
    import django

    django.setup()
    from bench.corpus.generator import Vocabulary, corpus_row
    from testimonies.imports.services import testimonies_import
    from testimonies.models import Testimony

    vocabulary = Vocabulary.load()
    # Of a grown corpus, the generated testimonies only: a copy's sealed
    # text does not open (bench/corpus/replicate.py).
    size = (
        sources
        or Testimony.objects.filter(external_id__startswith="synthetic-").count()
    )
    ready.release()
    number = worker
    while not stop.is_set():
        row = corpus_row(number % size, seed=SEED, vocabulary=vocabulary)
        row.narrative += f" (saved again {time.time():.0f})"
        number += SAVERS
        try:
            testimonies_import(rows=[row], source="search_bench saver")
        except Exception as error:  # noqa: BLE001 - counted and reported
            print(f"saver {worker}: {type(error).__name__}: {error}", flush=True)
            with failures.get_lock():
                failures.value += 1
            continue
        with counter.get_lock():
            counter.value += 1


def withdrawal_to_gone(saved: list, data_dir: Path, sources: int | None = None) -> dict:
    """Consent withdrawn from each saved testimony while SAVERS processes
    save others; the time until a search no longer finds it."""
    from django.db import connections
    from haystack.exceptions import SearchBackendError

    from testimonies.consent.services.consent import consent_withdraw
    from testimonies.models import Testimony

    context = multiprocessing.get_context("spawn")
    stop, ready = context.Event(), context.Semaphore(0)
    counter, failures = context.Value("i", 0), context.Value("i", 0)
    workers = [
        context.Process(
            target=_saver,
            args=(str(data_dir), n, stop, counter, failures, ready, sources),
        )
        for n in range(SAVERS)
    ]
    connections.close_all()
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.acquire(timeout=600)
    started, timings, failed = time.monotonic(), [], 0
    try:
        for pk, word in saved:
            testimony = Testimony.objects.get(pk=pk)
            begun = time.monotonic()
            try:
                consent_withdraw(
                    testimony=testimony,
                    scopes=None,
                    reason="benchmark",
                    obtained_by="search_bench",
                )
            except SearchBackendError as error:
                # Withdrawn in the database, still in the index (hidden by
                # the database check on every result): the worst outcome,
                # counted apart and never mixed into the latencies.
                print(f"withdrawal left the index: {error}", flush=True)
                failed += 1
                continue
            wait_until(lambda w: not found(w), word)
            timings.append(time.monotonic() - begun)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=120)
    elapsed = time.monotonic() - started
    return {
        **percentiles(timings),
        "concurrent_savers": SAVERS,
        "saves_during": counter.value,
        "saves_failed": failures.value,
        "withdrawals_left_in_index": failed,
        "saves_per_s": round(counter.value / elapsed, 1) if elapsed else None,
    }


def query_mix(vocabulary) -> list[tuple[str, dict]]:
    """QUERIES with the empty facet lists filled from the corpus's most
    frequent places and event types."""
    places = [p.slug for p in vocabulary.places[:3]]
    events = ["killing", "looting", "abduction"]
    mix = []
    for number, (kind, params) in enumerate(QUERIES):
        params = dict(params)
        if "place" in params and not params["place"]:
            params["place"] = [places[number % len(places)]]
        if "event_type" in params and not params["event_type"]:
            params["event_type"] = [events[number % len(events)]]
        mix.append((kind, params))
    return mix


def _by_kind(timings: dict) -> dict:
    every = [t for values in timings.values() for t in values]
    return {"all": percentiles(every)} | {k: percentiles(v) for k, v in timings.items()}


def _web_process(data_dir: str, researcher: str, requests) -> None:
    """A web process of its own: Django and the search API, answering
    through the test client the queries the benchmark sends on `requests`
    (audience, params), with the status, the time it took here and the
    count; its peak memory when asked ("rss"); until it is sent None."""
    os.environ.update(environment(Path(data_dir)))
    from django.contrib.auth import get_user_model
    from django.test import Client

    # Started as a server's worker is (pending index changes written, the
    # start-up frozen out of the garbage collector's passes).
    import archive.wsgi  # noqa: F401

    clients = {"public": Client(), "researcher": Client()}
    clients["researcher"].force_login(get_user_model().objects.get(username=researcher))
    while (message := requests.recv()) is not None:
        if message == "rss":
            requests.send(peak_rss_mb())
            continue
        audience, params, path = message
        started = time.monotonic()
        answer = clients[audience].get(path, params)
        elapsed = time.monotonic() - started
        count = (
            answer.json()["count"]
            if answer.status_code == 200 and path == API
            else None
        )
        requests.send((answer.status_code, elapsed, count))


class WebProcess:
    """The /api/search/ side of the query phase, in a process that does
    nothing else, so that its peak memory is a web process's, not the
    benchmark's (which holds the reference engines too)."""

    def __init__(self, data_dir: Path, researcher):
        from django.db import connections

        context = multiprocessing.get_context("spawn")
        self.requests, there = context.Pipe()
        connections.close_all()
        self.process = context.Process(
            target=_web_process, args=(str(data_dir), researcher.username, there)
        )
        self.process.start()

    def get(
        self, audience: str, params: dict, path: str = API
    ) -> tuple[int, float, int | None]:
        self.requests.send((audience, params, path))
        return self.requests.recv()

    def peak_rss_mb(self) -> float:
        self.requests.send("rss")
        return self.requests.recv()

    def close(self):
        self.requests.send(None)
        self.process.join(timeout=60)


def queries(mix, rounds: int, web: WebProcess, engines: dict) -> dict:
    """Each query of the mix, as the public and as a researcher, `rounds`
    times after one warm-up round, on the API and the HTML search page (in
    `web`) and each reference engine (in this process)."""
    timings = {name: {} for name in ["api", "page", *engines]}
    counts = {}
    for round_number in range(rounds + 1):
        for kind, params in mix:
            for audience in ("public", "researcher"):
                status, elapsed, count = web.get(audience, params)
                if status != 200:
                    raise RuntimeError(f"{API} {params}: {status}")
                key = f"{audience} {json.dumps(params, ensure_ascii=False)}"
                counts.setdefault(key, {})["api"] = count
                if round_number:
                    timings["api"].setdefault(kind, []).append(elapsed)
                status, elapsed, _count = web.get(audience, params, PAGE)
                if status != 200:
                    raise RuntimeError(f"{PAGE} {params}: {status}")
                if round_number:
                    timings["page"].setdefault(kind, []).append(elapsed)
                for name, engine in engines.items():
                    started = time.monotonic()
                    outcome = engine.search(params, audience)
                    elapsed = time.monotonic() - started
                    counts[key][name] = outcome["count"]
                    if round_number:
                        timings[name].setdefault(kind, []).append(elapsed)
    latency = {name: _by_kind(t) for name, t in timings.items()}
    return {
        "rounds": rounds,
        "mix": [{"kind": kind, "params": params} for kind, params in mix],
        # p95 of the API over FTS5's, and of the HTML page over the API's,
        # by query class (the targets: at most 1 and 1.3).
        "p95_ratios": {
            kind: {
                "api_to_fts5": _ratio(latency["api"], latency.get("fts5"), kind),
                "page_to_api": _ratio(latency["page"], latency["api"], kind),
            }
            for kind in latency["api"]
        },
        # Queries on which an engine counted otherwise than the API (the
        # engines' analyzers differ: FTS5 does not stem, for one).
        "count_mismatches": {
            name: sum(c[name] != c["api"] for c in counts.values()) for name in engines
        },
        "latency_ms": latency,
        "counts": counts,
    }


def _ratio(numerator: dict, denominator: dict | None, kind: str) -> float | None:
    if not denominator or kind not in denominator:
        return None
    top, bottom = numerator[kind]["p95"], denominator[kind]["p95"]
    return round(top / bottom, 2) if top and bottom else None


def fts5_documents(whoosh_path: str | None = None, *, postgres: bool = False):
    """The documents the search index holds: read back from the Whoosh
    index at `whoosh_path` or from the PostgreSQL engine's table
    (`postgres`): their stored fields, the same text and fields, without
    preparing and redacting every document again, which took most of the
    phase at 100,000; else prepared as the rebuild prepares them
    (search.documents, redacted texts only), a batch at a time."""
    if whoosh_path:
        yield from _whoosh_documents(whoosh_path)
        return
    if postgres:
        yield from _postgres_documents()
        return
    from haystack import connections

    from search.documents import documents_prepare
    from testimonies.models import Testimony

    index = connections["default"].get_unified_index().get_index(Testimony)
    pks = list(index.index_queryset().values_list("pk", flat=True))
    for start in range(0, len(pks), 500):
        batch = index.index_queryset().filter(pk__in=pks[start : start + 500])
        yield from documents_prepare(index, batch).values()


def _postgres_documents():
    """The testimonies' rows of the PostgreSQL engine's table, as
    documents_prepare gives them."""
    from search.models import SearchDocument
    from search.postgres.backends import STORED_FIELDS

    rows = SearchDocument.objects.filter(django_ct="testimonies.testimony")
    for row in rows.values("django_ct", "django_id", *STORED_FIELDS).iterator(2000):
        yield {**row, "django_id": str(row["django_id"])}


def _whoosh_documents(path: str):
    """The testimonies' documents stored in a Whoosh index, in the shape
    documents_prepare gives (lists for the multi-valued fields, dates)."""
    from search_engines import FACET_FIELDS
    from whoosh.index import open_dir

    with open_dir(path).searcher() as searcher:
        for stored in searcher.all_stored_fields():
            if stored.get("django_ct") != "testimonies.testimony":
                continue
            document = dict(stored)
            for field in [*FACET_FIELDS, "audiences"]:
                value = document.get(field) or []
                if isinstance(value, str):  # a keyword field stores "a,b"
                    value = [v for v in value.split(",") if v]
                document[field] = value
            for field in ("recorded_on", "visible_from"):
                if isinstance(document.get(field), datetime.datetime):
                    document[field] = document[field].date()
            yield document


def disk_mb(connection: dict) -> float | None:
    """What the search index takes on disk: the Whoosh index's folder, or
    the PostgreSQL engine's table with its indexes and TOAST."""
    if "PATH" in connection:
        files = Path(connection["PATH"]).glob("*")
        return round(sum(f.stat().st_size for f in files if f.is_file()) / 2**20, 1)
    if connection["ENGINE"].startswith("search.postgres."):
        from django.db import connection as database

        with database.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size('search_searchdocument')")
            (size,) = cursor.fetchone()
        return round(size / 2**20, 1)
    return None


def disk_bytes(testimonies: int) -> dict:
    """The PostgreSQL engine's table on disk: its rows, their TOAST (the
    vectors and texts stored out of line) and its indexes, in bytes, and
    the whole per 100,000 testimonies of the corpus (`testimonies`) in MB."""
    from django.db import connection as database

    with database.cursor() as cursor:
        cursor.execute(
            "SELECT pg_relation_size(c.oid), "
            "COALESCE(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0), "
            "pg_indexes_size(c.oid), pg_total_relation_size(c.oid) "
            "FROM pg_class c WHERE c.relname = 'search_searchdocument'"
        )
        table, toast, indexes, total = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM search_searchdocument")
        (documents,) = cursor.fetchone()
    return {
        "table": table,
        "toast": toast,
        "indexes": indexes,
        "total": total,
        "documents": documents,
        "testimonies": testimonies,
        "per_100000_testimonies_mb": round(total / 2**20 / testimonies * 100000, 1)
        if testimonies
        else None,
    }


def _rebuild_apart(seconds, command, indexed) -> dict | None:
    """The rebuild figures of a rebuild run before the benchmark."""
    if not seconds:
        return None
    return {
        "command": " ".join(command),
        "seconds": round(seconds, 1),
        "testimonies_per_s": round(indexed / seconds, 1),
        "apart": True,
    }


def _indexed_at(count: int, env: dict) -> int:
    """Indexable testimonies among the first `count` of the corpus (all of
    them but the benchmark's own saves, without --grown-from)."""
    os.environ.update(env)
    import django

    django.setup()
    from bench.corpus.generator import external_id
    from testimonies.models import Testimony

    return (
        Testimony.objects.indexable()
        .filter(
            external_id__startswith=f"synthetic-{SEED}-",
            external_id__lt=external_id(SEED, count),
        )
        .count()
    )


def researcher_account():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, _created = get_user_model().objects.get_or_create(username="bench-researcher")
    user.groups.add(Group.objects.get(name="researcher"))
    return user


def git_commit() -> str:
    done = subprocess.run(  # noqa: S603
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True, help="testimonies")
    parser.add_argument("--rounds", type=int, default=5, help="of the query mix")
    parser.add_argument("--samples", type=int, default=30, help="saves, withdrawals")
    parser.add_argument("--data-dir", type=Path, help="default bench/.data/<size>")
    parser.add_argument("--results-dir", type=Path, default=RESULTS)
    parser.add_argument(
        "--engine",
        choices=["whoosh", "postgres"],
        help="the search engine (default: as the settings configure it)",
    )
    parser.add_argument(
        "--no-rebuild",
        action="store_true",
        help="measure the index as it is (rebuilt before, its figures taken "
        "then); the result then has no rebuild figures",
    )
    parser.add_argument(
        "--rebuild-seconds",
        type=float,
        help="with --no-rebuild: how long the rebuild before took (kept as "
        "the run's rebuild figures, marked as measured apart)",
    )
    parser.add_argument(
        "--grown-from",
        type=int,
        metavar="N",
        help="generate and index the first N testimonies only, then grow the "
        "corpus to --size by copying them (bench/corpus/replicate.py; "
        "--engine postgres; data folder: N's)",
    )
    parser.add_argument(
        "--no-reference",
        action="append",
        default=[],
        choices=["fts5", "postgres_raw", "whoosh_raw"],
        help="leave out this engine measured beside the API (repeatable)",
    )
    parser.add_argument("--note", default="", help="kept with the figures")
    args = parser.parse_args(argv)
    if args.grown_from is not None:
        if args.engine != "postgres":
            parser.error("--grown-from needs --engine postgres")
        if not 0 < args.grown_from <= args.size:
            parser.error("--grown-from must be between 1 and --size")
    generated = args.grown_from or args.size
    folder = str(generated) + ("-postgres" if args.engine == "postgres" else "")
    data_dir = (args.data_dir or DATA / folder).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    engine_environment(args.engine)
    env = environment(data_dir)
    phases = Phases()
    run = datetime.datetime.now(datetime.UTC)
    run_id = run.strftime("%Y%m%d%H%M%S")

    def prepare():
        # The three in one Python process (a Django start-up each cost
        # seconds); generate_corpus resumes: testimonies of the seed that
        # exist are kept.
        return manage(
            "shell", "-v", "0", "-c", PREPARE % {"size": generated, "seed": SEED},
            env=env, quiet=False,
        )  # fmt: skip

    def grow():
        return manage(
            "shell", "-v", "0", "-c",
            GROW % {"source_count": generated, "size": args.size, "seed": SEED},
            env=env, quiet=False,
        )  # fmt: skip

    load_at_start = os.getloadavg()
    generate_seconds = phases.run("corpus", prepare)
    command = rebuild_command()
    if args.grown_from is not None and not args.no_rebuild:
        if _indexed_at(args.size, env) > _indexed_at(generated, env):
            # The copies' sealed text opens only on their sources' rows.
            raise SystemExit("the corpus is grown already: --no-rebuild")
    rebuild_seconds = (
        None if args.no_rebuild else phases.run("rebuild", manage, *command, env=env)
    )
    # With --grown-from the rebuild indexed the first `generated`
    # testimonies only: counted apart from the copies.
    rebuilt = _indexed_at(generated, env) if args.grown_from else None
    grow_seconds = phases.run("grow", grow) if args.grown_from is not None else None

    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from search_engines import Fts5, RawPostgres, RawWhoosh

    from bench.corpus.generator import Vocabulary
    from testimonies.models import Testimony

    indexed = Testimony.objects.indexable().count()
    save = phases.run("save", save_to_searchable, args.samples, run_id)
    withdraw = phases.run(
        "withdraw", withdrawal_to_gone, save[1], data_dir, args.grown_from
    )
    connection = settings.HAYSTACK_CONNECTIONS["default"]
    engines = {}
    left_out = set(args.no_reference)
    if "whoosh" in connection["ENGINE"].lower() and "whoosh_raw" not in left_out:
        engines["whoosh_raw"] = RawWhoosh(connection["PATH"])
    postgres = connection["ENGINE"].startswith("search.postgres.")
    if postgres and "postgres_raw" not in left_out:
        engines["postgres_raw"] = RawPostgres()
    fts_seconds = None
    if "fts5" not in left_out:
        fts_path = data_dir / "fts5.sqlite3"
        whoosh = "whoosh" in connection["ENGINE"].lower()
        whoosh_path = connection["PATH"] if whoosh else None
        documents = fts5_documents(whoosh_path, postgres=postgres)
        fts, fts_seconds = phases.run("fts5 build", Fts5.build, fts_path, documents)
        engines["fts5"] = fts
    mix = query_mix(Vocabulary.load())
    web = WebProcess(data_dir, researcher_account())
    load_before_queries = os.getloadavg()
    query_figures = phases.run("queries", queries, mix, args.rounds, web, engines)
    web_rss = web.peak_rss_mb()
    web.close()
    for engine in engines.values():
        engine.close()
    latency = query_figures["latency_ms"]
    figures = {
        **({"note": args.note} if args.note else {}),
        "benchmark": "search",
        "date": run.isoformat(timespec="seconds"),
        "commit": git_commit(),
        "size": args.size,
        # The machine is shared: its load (1, 5, 15 minutes) at the start,
        # before the query phase and at the end.
        "machine": {
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
            "load_average_at_start": load_at_start,
            "load_average_before_queries": load_before_queries,
        },
        "engine": connection["ENGINE"],
        "database": settings.DATABASES["default"]["ENGINE"],
        "corpus": {
            "testimonies": Testimony.objects.count(),
            "indexed": indexed,
            "generate_seconds": round(generate_seconds, 1),
            **(
                {
                    "grown_from": args.grown_from,
                    "grow_seconds": round(grow_seconds, 1),
                }
                if args.grown_from is not None
                else {}
            ),
        },
        "rebuild": (
            {
                "command": " ".join(command),
                "seconds": round(rebuild_seconds, 1),
                "testimonies_per_s": round((rebuilt or indexed) / rebuild_seconds, 1),
                **({"testimonies": rebuilt} if args.grown_from else {}),
            }
            if rebuild_seconds is not None
            else _rebuild_apart(args.rebuild_seconds, command, rebuilt or indexed)
        ),
        "save_to_searchable_ms": save[0],
        "withdrawal_to_gone_ms": withdraw,
        "queries": query_figures,
        "api_to_whoosh_p95": (
            round(latency["api"]["all"]["p95"] / latency["whoosh_raw"]["all"]["p95"], 2)
            if "whoosh_raw" in latency
            else None
        ),
        "api_to_postgres_p95": (
            round(
                latency["api"]["all"]["p95"] / latency["postgres_raw"]["all"]["p95"], 2
            )
            if "postgres_raw" in latency
            else None
        ),
        "disk_mb": disk_mb(connection),
        **({"disk_bytes": disk_bytes(Testimony.objects.count())} if postgres else {}),
        "references_left_out": sorted(left_out),
        "fts5_build_seconds": round(fts_seconds, 1) if fts_seconds else None,
        "web_process_peak_rss_mb": web_rss,
        "peak_rss_mb": peak_rss_mb(),
        "peak_rss_mb_after": phases.rss,
        "phase_seconds": phases.seconds,
    }
    args.results_dir.mkdir(parents=True, exist_ok=True)
    target = args.results_dir / f"{run.strftime('%Y-%m-%dT%H%M%SZ')}.json"
    target.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    from results_table import summary_lines

    print("\n".join(summary_lines(figures)))
    print(f"written to {target}")
    return figures


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
