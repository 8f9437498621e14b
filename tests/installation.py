"""A throwaway installation of the archive for tests that run real
processes against it (kill them, race them): its own data folder, fresh
secrets, the seeds, and gunicorn with the production settings, built by the
load test's own server (bench/load_server.py)."""

import fcntl
import importlib.util
import os
import sqlite3
import subprocess
import sys
from contextlib import closing, contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
# As from the TLS proxy the production settings expect.
HTTPS = {"X-Forwarded-Proto": "https"}


def bench_module(name):
    """A module of bench/ (not a package), imported by path."""
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules.setdefault(name, module)  # dataclasses look their module up
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


class Installation:
    """bench/load_server.Server, with what tests ask of it."""

    def __init__(self, *, workers=2, researchers=0, writers=0, serve=True):
        self.serve = serve
        load_server = bench_module("load_server")
        self.server = load_server.Server(
            workers=workers, researchers=researchers, writers=writers, keep=False
        )
        self.env = self.server.env
        self.data_dir = self.server.data_dir
        self.index_path = self.data_dir / "whoosh"

    def __enter__(self):
        self.server.prepare()
        if self.serve:
            self.server.start()
        return self

    def __exit__(self, *exc):
        self.server.stop()
        self.server.clean_up()

    @property
    def url(self):
        return self.server.url

    def restart(self):
        self.server.stop()
        self.server.start()

    def get(self, path, **params):
        return httpx.get(self.url + path, params=params, headers=HTTPS, timeout=30)

    def manage(self, *args, **popen) -> subprocess.Popen:
        """A manage.py command of this installation, running."""
        return subprocess.Popen(  # noqa: S603 (our interpreter, our arguments)
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            **popen,
        )

    def query(self, sql, *params, database="archive.sqlite3"):
        """Rows of the installation's database (or of its vault's key store,
        database="vault-keys.sqlite3"), read as a bystander."""
        path = self.data_dir / database
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            return db.execute(sql, params).fetchall()

    # The Whoosh index's write lock (an flock on this file, as Whoosh takes it).

    @property
    def lock_path(self):
        return self.index_path / "MAIN_WRITELOCK"

    @contextmanager
    def index_locked(self):
        """Hold the index's write lock, as a long writer would."""
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def index_busy(self) -> bool:
        """Is another process holding the index's write lock right now?"""
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # closing the descriptor releases a lock it took
        return False
