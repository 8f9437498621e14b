"""Incident page benchmark: what "witnesses from more than one community"
costs on an incident's page and API, which open every describing witness's
sealed identity for it (docs/incidents.md).

    .venv/bin/python bench/incident_bench.py [--witnesses 300] [--rounds 10]

In a data folder of its own (bench/.data/incidents/, made afresh) it loads
the demo archive as `make run` does (seeds/), then times, through the
Django test client in this process, /incidents/<id>/ and
/api/incidents/<id>/ of every seeded incident as the public and as a
researcher, and the answer alone (the identities opened and counted). It
then imports --witnesses more witnesses, each with one public testimony
describing the Hai Al Kusour incident, and times that incident again.
Prints p50/p95 in milliseconds and writes them to bench/results/.
"""

import argparse
import datetime
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path

from search_bench import (
    DATA,
    RESULTS,
    environment,
    git_commit,
    manage,
    percentiles,
    rebuild_command,
)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds" / "testimonies.jsonl"
BIG_INCIDENT = "banias-hai-al-kusour-2025-03"
COMMUNITIES = ["alawite", "sunni", "christian", "druze", "ismaili", None]


def extra_witnesses(count: int, path: Path) -> None:
    """`count` import lines, one witness each (its own community drawn at
    random, some not given), each describing BIG_INCIDENT in public."""
    rng = random.Random(25)
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            witness = {"name": f"Bench Witness {n}", "gender": "unknown"}
            community = rng.choice(COMMUNITIES)
            if community:
                witness["community"] = community
            row = {
                "external_id": f"bench-incident-{n:04d}",
                "witness": witness,
                "language": "en",
                "narrative": f"Account {n}: armed men went from house to house "
                "in Banias on 7 March and shot people in their homes.",
                "recorded_on": "2025-04-01",
                "recorded_by": "documenter",
                "incident": {
                    "start": "2025-03-07",
                    "end": "2025-03-08",
                    "precision": "day",
                },
                "places": ["Banias"],
                "communities": ["alawite"],
                "event_types": ["killing"],
                "status": "approved",
                "consent": {
                    "archive": True,
                    "researchers": True,
                    "public": True,
                    "method": "oral",
                    "obtained_by": "documenter",
                    "obtained_on": "2025-04-01",
                },  # fmt: skip
                "incidents": [BIG_INCIDENT],
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def timed(call, rounds: int) -> dict:
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return percentiles(seconds)


def measure(incidents, clients, rounds: int) -> dict:
    """{incident key: {witnesses, answer, page/api per role, answer alone}}."""
    from testimonies.incidents.selectors import (
        incident_describing_witness_ids,
        witnesses_several_communities,
    )

    figures = {}
    for incident in incidents:
        row = {}
        for role, (client, user) in clients.items():
            if client.get(incident.get_absolute_url()).status_code == 404:
                row[role] = "not visible to them"
                continue
            for what, url in (
                ("page", incident.get_absolute_url()),
                ("api", f"/api/incidents/{incident.public_id}/"),
            ):

                def get(url=url, client=client):
                    response = client.get(url)
                    if response.status_code != 200:
                        raise SystemExit(f"{url}: {response.status_code}")

                row[f"{role} {what}"] = timed(get, rounds)
            ids = incident_describing_witness_ids(incident=incident, user=user)
            row[f"{role} witnesses"] = len(ids)
            row[f"{role} answer"] = str(witnesses_several_communities(ids))
            row[f"{role} answer alone"] = timed(
                lambda ids=ids: witnesses_several_communities(ids), rounds
            )
        figures[incident.key or incident.public_id] = row
    return figures


def print_figures(title: str, figures: dict) -> None:
    print(title)
    for key, row in figures.items():
        print(f"  {key}")
        for name, value in row.items():
            if isinstance(value, dict):
                p50, p95 = value["p50"], value["p95"]
                print(f"    {name:26} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms")
            else:
                print(f"    {name:26} {value}")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--witnesses", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--results-dir", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    data_dir = (DATA / "incidents").resolve()
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env = environment(data_dir)
    env.update(ARCHIVE_RATE_ANON="100000/minute", ARCHIVE_RATE_USER="100000/minute")
    manage("migrate", "--noinput", env=env)
    manage("load_gazetteer", "SY", env=env)
    manage("create_demo_accounts", env=env)
    manage("import_testimonies", str(SEEDS), env=env)
    manage(*rebuild_command(), env=env)

    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.test import Client
    from search_bench import researcher_account

    from testimonies.incidents.models import Incident

    public, researcher = Client(), Client()
    account = researcher_account()
    researcher.force_login(account)
    clients = {"public": (public, AnonymousUser()), "researcher": (researcher, account)}
    seeded = list(Incident.objects.current().order_by("key"))
    figures = {
        "benchmark": "incident page: witnesses from more than one community",
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "load_average": os.getloadavg(),
        "seeds": measure(seeded, clients, args.rounds),
    }
    print_figures("seeds", figures["seeds"])

    lines = data_dir / "extra-witnesses.jsonl"
    extra_witnesses(args.witnesses, lines)
    manage("import_testimonies", str(lines), env=env)
    big = Incident.objects.filter(key=BIG_INCIDENT)
    figures[f"+{args.witnesses} witnesses"] = measure(big, clients, args.rounds)
    figures["load_average_end"] = os.getloadavg()
    print_figures(
        f"+{args.witnesses} witnesses", figures[f"+{args.witnesses} witnesses"]
    )
    print(f"load average {figures['load_average']} -> {figures['load_average_end']}")

    args.results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H%M%SZ")
    out = args.results_dir / f"incident-{stamp}.json"
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"written {out}")
    return figures


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
