"""A password reset through the development server, as a browser does it:
the mailed link's token reaches no log line (the server never sees it)."""

import http.cookiejar
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.archive.devserver import ROOT, running_devserver
from tests.archive.test_error_logging import environment

CREATE = """
from django.contrib.auth import get_user_model
get_user_model().objects.create_user("amal", "amal@example.org", "an old password 1")
"""
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _post(opener, url, fields):
    page = opener.open(url, timeout=30).read().decode()  # noqa: S310
    fields = {"csrfmiddlewaretoken": CSRF.search(page).group(1), **fields}
    data = urllib.parse.urlencode(fields).encode()
    return opener.open(url, data=data, timeout=30)  # noqa: S310


@pytest.mark.slow
def test_a_reset_through_runserver_leaves_its_token_in_no_log_line(
    tmp_path, migrated_database
):
    env = environment("archive.settings.dev", tmp_path)
    env["ARCHIVE_RATE_ANON"] = "1000/minute"
    migrated_database(Path(env["ARCHIVE_DATA_DIR"]))
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", CREATE],
        cwd=ROOT, env=env, check=True, timeout=300,
    )  # fmt: skip
    # The console mail backend writes to stdout; the server's log is stderr.
    mails, log = tmp_path / "mails.txt", tmp_path / "runserver.log"
    with (
        mails.open("w") as out,
        log.open("w") as err,
        running_devserver(env, stdout=out, stderr=err, log=log) as base,
    ):
        deadline = time.monotonic() + 60
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        _post(
            browser, base + "/accounts/password-reset/", {"email": "amal@example.org"}
        )
        while "/accounts/reset/" not in mails.read_text():
            assert time.monotonic() < deadline, mails.read_text()
            time.sleep(0.1)
        link = re.search(r"http://\S+/accounts/reset/\S+", mails.read_text()).group(0)
        link = link.replace("http://testserver", base)
        token = link.rstrip("/").split("/")[-1].split("#")[-1].split(".")[-1]
        # A browser opens the link without what follows "#"; the page's
        # script moves that part into the form (done here by hand).
        opened = browser.open(link, timeout=30)  # noqa: S310
        page = opened.read().decode()
        if 'name="reset_code"' in page:
            _, _, code = link.partition("#")
            opened = _post(browser, opened.geturl(), {"reset_code": code})
            page = opened.read().decode()
        assert 'name="new_password1"' in page
        new = "a long new password for amal"
        _post(
            browser,
            opened.geturl(),
            {"new_password1": new, "new_password2": new},
        )
        while "/accounts/reset/done/" not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
    text = log.read_text()
    assert "/set-password/" in text
    assert len(token) > 20
    assert token not in text
