"""Errors are visible to operators without identities: a 500's traceback
reaches stderr in every environment, with the query string and the form's
values taken out; the development server logs paths without query strings;
gunicorn's own error lines drop query strings too."""

import logging
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.archive.devserver import ROOT, running_devserver

NAME = "Layla Haddad"

# Requests that fail, in a process of their own with the settings of one
# environment and its real logging configuration, through the test client.
FAIL = """
import django
django.setup()
from django.test import Client
from django.test.utils import override_settings
with override_settings(ROOT_URLCONF="tests.urls_failing"):
    client = Client(raise_request_exception=False, HTTP_HOST="localhost")
    get = client.get("/failing/", {"q": "Layla Haddad"}, secure=True)
    post = client.post("/failing/?q=Haddad", {"name": "Layla Haddad"}, secure=True)
print(get.status_code, post.status_code)
"""


def environment(settings_module, tmp_path):
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("ARCHIVE_", "DJANGO"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        ARCHIVE_DATA_DIR=str(tmp_path / "data"),
        PYTHONPATH=str(ROOT),
    )
    if settings_module.endswith("production"):
        env.update(
            ARCHIVE_SECRET_KEY=secrets.token_urlsafe(64),
            ARCHIVE_PSEUDONYM_KEY=secrets.token_urlsafe(32),
            ARCHIVE_MASTER_KEY="dGVzdC1vbmx5LXZhdWx0LW1hc3Rlci1rZXktMzJieXQ=",
            ARCHIVE_ALLOWED_HOSTS="localhost",
        )
    return env


@pytest.mark.parametrize(
    "settings_module", ["archive.settings.production", "archive.settings.dev"]
)
@pytest.mark.slow
def test_a_500_s_traceback_reaches_stderr_without_what_was_typed(
    settings_module, tmp_path
):
    done = subprocess.run(
        [sys.executable, "-c", FAIL],
        cwd=ROOT,
        env=environment(settings_module, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.split() == ["500", "500"], done.stderr[-3000:]
    log = done.stderr
    assert log.count("Internal Server Error: /failing/") == 2
    assert log.count("Traceback (most recent call last)") == 2
    assert "ValueError: cannot search for '[scrubbed]" in log
    for spelling in ["Layla", "Haddad", "layla", "haddad", "Layla+Haddad"]:
        assert spelling not in log


def test_scrubbing_takes_every_spelling_of_a_typed_value():
    from django.test import RequestFactory

    from archive.log_scrubbing import ScrubbingFormatter

    request = RequestFactory().get("/search/", {"q": "بانياس Layla"})
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1,
        "Internal Server Error: %s (%s, %s)",
        (request.path, "%D8%A8%D8%A7%D9%86%D9%8A%D8%A7%D8%B3", "layla"), None,
    )  # fmt: skip
    record.request = request
    text = ScrubbingFormatter("%(message)s").format(record)
    assert text == "Internal Server Error: /search/ ([scrubbed], [scrubbed])"


@pytest.mark.slow
def test_runserver_logs_paths_without_query_strings(tmp_path, migrated_database):
    env = environment("archive.settings.dev", tmp_path)
    env["ARCHIVE_RATE_ANON"] = "1000/minute"
    migrated_database(Path(env["ARCHIVE_DATA_DIR"]))
    log = tmp_path / "runserver.log"
    with (
        log.open("w") as out,
        running_devserver(env, stdout=out, stderr=subprocess.STDOUT, log=log) as base,
    ):
        for path in [
            "/search/?q=Layla+Haddad",
            "/api/search/?q=%D9%84%D9%8A%D9%84%D9%89",
        ]:
            urllib.request.urlopen(base + path, timeout=30)  # noqa: S310
        # Each line is written once its response has gone out.
        deadline = time.monotonic() + 60
        while log.read_text().count('"GET /') < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
    text = log.read_text()
    assert '"GET /search/ HTTP/1.1" 200' in text
    assert '"GET /api/search/ HTTP/1.1" 200' in text
    assert "Layla" not in text and "q=" not in text and "%D9" not in text


def test_gunicorn_s_error_lines_name_the_path_without_its_query(tmp_path):
    import importlib.util

    from gunicorn.config import Config

    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", ROOT / "deploy" / "gunicorn.conf.py"
    )
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    config = Config()
    config.set("errorlog", str(tmp_path / "error.log"))
    logger = conf.QuerylessLogger(config)
    try:
        raise OSError("the client went away")
    except OSError:
        logger.exception("Error handling request %s", "/search/?q=Layla+Haddad")
    text = (tmp_path / "error.log").read_text()
    assert "Error handling request /search/" in text and "Layla" not in text
