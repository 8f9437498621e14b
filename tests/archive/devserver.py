"""Django's development server (`manage.py runserver`) in a process of its
own, for the tests that read what it logs."""

import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.installation import free_port

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def running_devserver(env, *, stdout, stderr, log: Path):
    """The development server under `env`, answering: yields its base URL.
    `log` is the file its requests are logged to (shown if it never
    answers)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"{port}"],
        cwd=ROOT, env=env, stdout=stdout, stderr=stderr,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=5)  # noqa: S310
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        yield base
    finally:
        # SIGTERM, not Ctrl-C's SIGINT: a suite started in the background
        # (as CI starts it) passes SIGINT on ignored, and runserver then
        # never stops on it (each test waited out its 30 s timeout).
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()  # never left running after the test
            server.wait(timeout=30)
