"""What the researchers' tools and the review queue cost per page view.

    .venv/bin/python bench/research_bench.py [--repeat N]

Builds bench/search_quality.py's throw-away archive (the test settings, the
gazetteer, bench/quality/archive.jsonl imported and indexed), then, through
Django's test client (the same views, selectors, policy and index as the
site), times:

- the home page of a researcher with 0, 5 and 20 saved searches (the judged
  queries): each view runs every saved search again, with the researcher's
  visibility at that moment, to count what is new;
- the moderators' review queue with every testimony waiting, unfiltered and
  filtered by place and language, and ordered by documenter.

Prints the median and the slowest of `--repeat` views of each, in
milliseconds. Nothing is asserted: the figures are for reading.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search_quality import _throwaway_archive, judged_queries  # noqa: E402


def _timed(client, url: str, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: status {response.status_code}")
    return statistics.median(times), max(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    client, temp = _throwaway_archive()
    import shutil

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from research.models import SavedSearch
    from research.services import saved_search_create
    from testimonies.models import Testimony, TestimonyStatus

    try:
        researcher = get_user_model().objects.get(username="quality-researcher")
        queries = [q["q"] for q in judged_queries()["queries"]]
        print(f"{Testimony.objects.count()} testimonies, {args.repeat} views each\n")
        print(f"{'page':<52} {'median ms':>10} {'max ms':>8}")
        for count in (0, 5, 20):
            SavedSearch.objects.filter(owner=researcher).delete()
            for n in range(count):
                query = queries[n % len(queries)]
                saved_search_create(owner=researcher, name=f"s{n}", query=f"q={query}")
            median, worst = _timed(client, "/", args.repeat)
            print(
                f"{f'home, {count} saved searches':<52} {median:>10.1f} {worst:>8.1f}"
            )

        Testimony.objects.update(status=TestimonyStatus.SUBMITTED)
        moderator = get_user_model().objects.create_user(username="bench-moderator")
        moderator.groups.add(Group.objects.get(name="moderator"))
        device = TOTPDevice.objects.create(user=moderator, name="bench", confirmed=True)
        moderation = Client()
        moderation.force_login(moderator)
        session = moderation.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        for label, url in (
            ("queue, every testimony waiting", "/moderation/"),
            ("queue, by place and language", "/moderation/?place=banias&language=ar"),
            ("queue, by documenter", "/moderation/?sort=documenter"),
        ):
            median, worst = _timed(moderation, url, args.repeat)
            print(f"{label:<52} {median:>10.1f} {worst:>8.1f}")
    finally:
        if temp.name.startswith("archive-test-"):
            shutil.rmtree(temp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
