"""`make serve`'s script starts gunicorn with production settings on
loopback, WhiteNoise serves hashed, compressed static files, and the .env
it writes on the first run is never overwritten."""

import os
import re
import signal
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.installation import free_port

ROOT = Path(__file__).resolve().parents[2]
SERVE = ROOT / "deploy" / "serve.sh"


def serve_env(tmp_path, port):
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("ARCHIVE_", "DJANGO_"))
    }
    return {
        **clean,
        "PYTHON": sys.executable,
        "ARCHIVE_ENV_FILE": str(tmp_path / ".env"),
        "ARCHIVE_DATA_DIR": str(tmp_path / "data"),
        "ARCHIVE_PORT": str(port),
        "ARCHIVE_WORKERS": "2",
    }


def get(url, **headers):
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


class Server:
    """deploy/serve.sh in its own process group, stopped with its workers."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = (tmp_path / f"serve-{self.port}.log").open("w+")
        self.process = subprocess.Popen(  # noqa: S603
            [str(SERVE)],
            env=serve_env(tmp_path, self.port),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_up(self):
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"serve.sh stopped:\n{self.output()}")
            try:
                return get(self.base + "/")
            except OSError:
                # Refused at once while nothing listens: a short pause
                # costs nothing and answers as soon as gunicorn does.
                time.sleep(0.05)
        pytest.fail(f"gunicorn never answered:\n{self.output()}")

    def workers(self):
        pid = self.process.pid  # the script exec's gunicorn's master
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [Path(f"/proc/{child}/cmdline").read_bytes() for child in children]

    def output(self):
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


@pytest.fixture
def start(tmp_path):
    started = []

    def run():
        server = Server(tmp_path)
        started.append(server)
        return server

    yield run
    for server in started:
        server.stop()


@pytest.mark.slow
def test_serve_runs_gunicorn_with_production_settings_and_whitenoise(tmp_path, start):
    server = start()
    status, headers, body = server.wait_until_up()
    assert status == 200
    assert headers["Server"] == "gunicorn"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "camera=()" in headers["Permissions-Policy"]
    assert len(server.workers()) == 2
    assert b"gunicorn" in server.workers()[0]

    # No TLS proxy in front (the .env's switch): nobody may claim https.
    _, claimed, _ = get(server.base + "/", **{"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in claimed

    # Production settings: DEBUG off, so an unknown page is the plain 404.
    status, _, missing = get(server.base + "/no-such-page/")
    assert status == 404
    assert b"URLconf" not in missing

    # The stylesheet under its hashed name, compressed, cached for ever.
    css = re.search(rb'href="(/static/css/archive\.[0-9a-f]{12}\.css)"', body)
    assert css, body[:2000]
    url = server.base + css.group(1).decode()
    status, headers, zipped = get(url, **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert zipped[:2] == b"\x1f\x8b"
    assert "immutable" in headers["Cache-Control"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    status, headers, plain = get(url)
    assert "Content-Encoding" not in headers
    assert b"font-family" in plain

    # The .env it wrote: fresh secrets, for this account only, plain http on
    # loopback spelled out.
    env_file = tmp_path / ".env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    values = dict(
        line.split("=", 1)
        for line in env_file.read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert len(values["ARCHIVE_SECRET_KEY"]) >= 50
    assert values["ARCHIVE_PSEUDONYM_KEY"] != values["ARCHIVE_SECRET_KEY"]
    assert len(values["ARCHIVE_MASTER_KEY"]) == 44
    assert values["ARCHIVE_ALLOWED_HOSTS"] == "127.0.0.1,localhost"
    assert values["ARCHIVE_BEHIND_TLS_PROXY"] == "0"
    assert values["ARCHIVE_DATA_DIR"] == str(tmp_path / "data")

    # Started again, it keeps the .env it found.
    before = env_file.read_bytes()
    server.stop()
    again = start()
    assert again.wait_until_up()[0] == 200
    assert env_file.read_bytes() == before


@pytest.mark.slow
def test_serve_refuses_a_new_master_key_beside_an_existing_key_store(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "vault-keys.sqlite3").write_bytes(b"")
    result = subprocess.run(  # noqa: S603
        [str(SERVE)],
        env=serve_env(tmp_path, free_port()),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "restore" in result.stderr
    assert not (tmp_path / ".env").exists()
