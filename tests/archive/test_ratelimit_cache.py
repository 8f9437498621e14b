"""The pieces under the request budgets: rates, the cache settings, and the
file cache's counters shared by several processes."""

import datetime
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured

from archive.cache import LockingFileBasedCache
from archive.ratelimit import rate_count
from archive.rates import Rate, parse_rate
from archive.settings.base import cache_config, rate_setting

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "text, rate",
    [
        ("60/minute", Rate(60, 60)),
        (" 600 / minutes ", Rate(600, 60)),
        ("30/hour", Rate(30, 3600)),
        ("1/second", Rate(1, 1)),
        ("1000/day", Rate(1000, 86400)),
    ],
)
def test_rates_are_read(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["", "60", "0/minute", "-1/minute", "60/fortnight"])
def test_a_misspelt_rate_is_refused(text):
    with pytest.raises(ValueError):
        parse_rate(text)


def test_a_misspelt_rate_stops_the_site_at_start_up():
    with pytest.raises(ImproperlyConfigured, match="ARCHIVE_RATE_ANON"):
        rate_setting("ARCHIVE_RATE_ANON", "60/minute", {"ARCHIVE_RATE_ANON": "60"})
    assert rate_setting("ARCHIVE_RATE_ANON", "60/minute", {}) == "60/minute"


def test_the_cache_is_chosen_by_settings(tmp_path):
    default = cache_config({})
    assert default["BACKEND"] == "archive.cache.LockingFileBasedCache"
    assert default["LOCATION"].endswith("cache")
    file = cache_config({"ARCHIVE_CACHE_LOCATION": str(tmp_path)})
    assert file["LOCATION"] == str(tmp_path)
    redis = cache_config(
        {"ARCHIVE_CACHE_BACKEND": "redis", "ARCHIVE_CACHE_LOCATION": "redis://r:6379"}
    )
    assert redis == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://r:6379",
    }
    with pytest.raises(ImproperlyConfigured):
        cache_config({"ARCHIVE_CACHE_BACKEND": "redis"})
    with pytest.raises(ImproperlyConfigured):
        cache_config({"ARCHIVE_CACHE_BACKEND": "database"})


def file_cache(folder):
    return LockingFileBasedCache(str(folder), {})


def test_two_caches_on_one_folder_count_together(tmp_path):
    first, second = file_cache(tmp_path), file_cache(tmp_path)
    assert first.add("counter", 0, 60)
    assert not second.add("counter", 0, 60)
    assert first.incr("counter") == 1
    assert second.incr("counter") == 2
    assert first.get("counter") == 2


def test_a_counter_keeps_its_expiry_when_incremented(tmp_path):
    cache = file_cache(tmp_path)
    start = datetime.datetime(2026, 3, 9, 12, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        cache.add("counter", 0, 30)
        traveller.shift(datetime.timedelta(seconds=20))
        cache.incr("counter")
        traveller.shift(datetime.timedelta(seconds=11))
        assert cache.get("counter") is None
        with pytest.raises(ValueError):
            cache.incr("counter")


COUNTER = textwrap.dedent(
    """
    import sys
    import django
    from django.conf import settings

    settings.configure(
        SECRET_KEY="counting-test",
        INSTALLED_APPS=[],
        CACHES={"default": {
            "BACKEND": "archive.cache.LockingFileBasedCache",
            "LOCATION": sys.argv[1],
        }},
    )
    django.setup()
    from archive.ratelimit import rate_count
    from archive.rates import Rate

    sys.stdin.readline()  # start together
    for _ in range(int(sys.argv[2])):
        rate_count(key="one-client", rate=Rate(10000, 3600), now=1_800_000_000.0)
    """
)


@pytest.mark.slow
def test_server_processes_sharing_a_file_cache_count_every_request(tmp_path, settings):
    """Four processes count one client at once: no request is lost, as it
    would be with Django's own file cache (read, then write)."""
    each, processes = 150, 4
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", COUNTER, str(tmp_path), str(each)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    for worker in workers:
        worker.stdin.close()
        assert worker.wait(timeout=120) == 0
    settings.CACHES = {
        "default": {
            "BACKEND": "archive.cache.LockingFileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }
    count, _ = rate_count(key="one-client", rate=Rate(10000, 3600), now=1_800_000_000.0)
    assert count == each * processes + 1
