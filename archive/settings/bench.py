"""Benchmark settings (bench/search_bench.py): the dev settings' data layout
in ARCHIVE_DATA_DIR, without DEBUG (which records every query and would
skew the figures) and with the rate limits lifted (the benchmark measures
the search, not the limiter)."""

from archive.settings.dev import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
ARCHIVE_RATE_ANON = ARCHIVE_RATE_USER = "1000000/minute"

# The benchmark's savers write from five processes at once: wait for the
# SQLite write lock rather than fail after sqlite3's default 5 s.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["OPTIONS"]["timeout"] = 60  # noqa: F405

# The index's per-write log lines would drown the benchmark's output.
LOGGING["loggers"]["search"]["level"] = "WARNING"  # noqa: F405
