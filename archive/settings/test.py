"""Test settings: fast hashing, a temporary search index and media root."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import dj_database_url

from archive.settings.base import *  # noqa: F403
from archive.settings.base import HAYSTACK_CONNECTIONS

SECRET_KEY = "test-only-secret-key"  # noqa: S105
PSEUDONYM_KEY = "test-only-pseudonym-key"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# SQLite in memory by default. ARCHIVE_TEST_DATABASE_URL runs the suite on
# another server instead, e.g. the throwaway PostgreSQL cluster that
# `make test-postgres` starts (deploy/pg_cluster.sh); pytest-django creates
# and drops a test_<name> database on it.
_TEST_DATABASE_URL = os.environ.get("ARCHIVE_TEST_DATABASE_URL", "")
if _TEST_DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(_TEST_DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": ":memory:",
            "OPTIONS": {"transaction_mode": "IMMEDIATE"},
        }
    }
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

_TEST_DATA = Path(tempfile.mkdtemp(prefix="archive-test-"))
_TEST_DATA_OWNER = os.getpid()


def _remove_test_data():
    """Each process that loads these settings owns its folder (index, media,
    key store) and removes it when it ends, so runs do not pile up copies of
    test archives in the temp folder. A forked child (the rebuild's workers)
    inherits this hook but not the folder: only its owner removes it."""
    if os.getpid() == _TEST_DATA_OWNER:
        shutil.rmtree(_TEST_DATA, ignore_errors=True)


atexit.register(_remove_test_data)
MEDIA_ROOT = _TEST_DATA / "media"
HAYSTACK_CONNECTIONS["default"]["PATH"] = str(_TEST_DATA / "whoosh")
HAYSTACK_CONNECTIONS["default"]["WRITE_LOCK_TIMEOUT"] = 30.0
DEMO_ACCOUNTS_PASSWORD = "archive-demo-2025"  # noqa: S105
# A fixed vault master key for tests; the key store in the run's temp folder.
VAULT_MASTER_KEY = "dGVzdC1vbmx5LXZhdWx0LW1hc3Rlci1rZXktMzJieXQ="
VAULT_KEYSTORE_PATH = _TEST_DATA / "vault-keys.sqlite3"
# A fixed signing key for accountability packages (32 bytes, base64).
ARCHIVE_SIGNING_KEY = "dGVzdC1vbmx5LWFyY2hpdmUtc2lnbmluZy1rZXktMzI="
# One process: local memory, emptied before each test (tests/conftest.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
