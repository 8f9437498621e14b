"""Judged search quality: precision at 10 and recall over a fixed archive.

    .venv/bin/python bench/search_quality.py [--json]

Builds a throw-away archive (the test settings: an in-memory SQLite
database, a search index, vault keys and media in a fresh temp folder,
deleted afterwards), loads the gazetteer, imports bench/quality/archive.jsonl
with import_testimonies, rebuilds the index, and asks /api/search/ every
query of bench/quality/queries.json as a researcher, through Django's test
client: the same view, form, selector, policy and index as the site.

For each query, with `relevant` the testimonies a person would expect
(judged by hand, listed in queries.json) and `results` all that the search
returned in its order:

    precision@10  relevant among the first 10 results / the number of those
                  results (at most 10); 0 when nothing came back
    recall        relevant among all results / relevant

Overall figures are the means over the queries. tests/search/
test_search_quality.py holds them at or above the floors in queries.json.
"""

import argparse
import io
import json
import os
import shutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUALITY = Path(__file__).resolve().parent / "quality"
ARCHIVE = QUALITY / "archive.jsonl"
QUERIES = QUALITY / "queries.json"
TOP = 10


@dataclass
class QueryScore:
    query: str
    note: str
    relevant: int
    returned: int
    precision_at_10: float
    recall: float
    missed: list[str]
    unexpected_in_top: list[str]


@dataclass
class Report:
    queries: list[QueryScore]
    precision_at_10: float
    recall: float


def judged_queries() -> dict:
    return json.loads(QUERIES.read_text(encoding="utf-8"))


def archive_load() -> None:
    """Import the fixed archive and index it anew (the gazetteer must be
    loaded already)."""
    from django.core.management import call_command

    quiet = io.StringIO()
    call_command("import_testimonies", str(ARCHIVE), stdout=quiet)
    call_command("rebuild_index", interactive=False, verbosity=0, stdout=quiet)


def _external_ids(public_ids: list[str]) -> list[str]:
    from testimonies.models import Testimony

    by_public = dict(
        Testimony.objects.filter(public_id__in=public_ids).values_list(
            "public_id", "external_id"
        )
    )
    return [by_public[public_id] for public_id in public_ids]


def _ranked(client, query: str) -> list[str]:
    """External ids of everything /api/search/ returns, best first."""
    found, page = [], 1
    while True:
        response = client.get(
            "/api/search/", {"q": query, "page": page, "page_size": 100}
        )
        if response.status_code != 200:
            raise RuntimeError(f"{query!r}: status {response.status_code}")
        answer = response.json()
        found += _external_ids([result["id"] for result in answer["results"]])
        if page >= answer["pages"]:
            return found
        page += 1


def score(query: str, note: str, relevant: set[str], ranked: list[str]) -> QueryScore:
    top = ranked[:TOP]
    hits_top = [external_id for external_id in top if external_id in relevant]
    return QueryScore(
        query=query,
        note=note,
        relevant=len(relevant),
        returned=len(ranked),
        precision_at_10=len(hits_top) / len(top) if top else 0.0,
        recall=len(relevant & set(ranked)) / len(relevant) if relevant else 1.0,
        missed=sorted(relevant - set(ranked)),
        unexpected_in_top=[e for e in top if e not in relevant],
    )


def evaluate(client) -> Report:
    """Every judged query through /api/search/ with `client` (signed in as
    a researcher)."""
    scores = [
        score(q["q"], q.get("note", ""), set(q["relevant"]), _ranked(client, q["q"]))
        for q in judged_queries()["queries"]
    ]
    return Report(
        queries=scores,
        precision_at_10=sum(s.precision_at_10 for s in scores) / len(scores),
        recall=sum(s.recall for s in scores) / len(scores),
    )


def _print_table(report: Report) -> None:
    width = max(len(s.query) for s in report.queries)
    print(f"{'query':<{width}}  relevant  returned  P@10   recall")
    for s in report.queries:
        print(
            f"{s.query:<{width}}  {s.relevant:>8}  {s.returned:>8}  "
            f"{s.precision_at_10:.2f}   {s.recall:.2f}"
        )
        if s.missed:
            print(f"{'':<{width}}  missed: {', '.join(s.missed)}")
        if s.unexpected_in_top:
            print(f"{'':<{width}}  not expected: {', '.join(s.unexpected_in_top)}")
    print(
        f"\n{len(report.queries)} queries  "
        f"P@10 {report.precision_at_10:.3f}  recall {report.recall:.3f}"
    )


def _throwaway_archive():
    """Django on the test settings, migrated, with the gazetteer, the fixed
    archive and a researcher; returns the researcher's client and the temp
    folder to delete."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "archive.settings.test"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_gazetteer", "SY", stdout=io.StringIO())
    archive_load()
    researcher = get_user_model().objects.create_user(username="quality-researcher")
    researcher.groups.add(Group.objects.get(name="researcher"))
    client = Client()
    client.force_login(researcher)
    return client, Path(settings.MEDIA_ROOT).parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    client, temp = _throwaway_archive()
    try:
        report = evaluate(client)
    finally:
        if temp.name.startswith("archive-test-"):
            shutil.rmtree(temp, ignore_errors=True)
    if args.json:
        print(json.dumps(asdict(report), ensure_ascii=False, indent=2))
    else:
        _print_table(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
