"""Benchmark settings (bench/search_bench.py): the dev settings' data layout
in ARCHIVE_DATA_DIR, without DEBUG (which records every query and would
skew the figures) and with the rate limits lifted (the benchmark measures
the search, not the limiter)."""

from .dev import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
ARCHIVE_RATE_ANON = ARCHIVE_RATE_USER = "1000000/minute"
