"""A throwaway installation of the archive for tests that run real
processes against it (kill them, race them): its own data folder, fresh
secrets, the seeds, and gunicorn with the production settings, built by the
load test's own server (bench/load_server.py).

Preparing one (migrate, the gazetteer, the seeds, the index, collectstatic,
in one Python process) takes ten seconds or more on two busy cores, and
every installation is prepared alike but for its accounts: the run prepares
one data folder once (`prepared_installation`), and each installation
starts from a copy of it, under its secrets, adding only its own accounts
and testimonies."""

import base64
import fcntl
import importlib.util
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing, contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
# As from the TLS proxy the production settings expect.
HTTPS = {"X-Forwarded-Proto": "https"}


def free_port() -> int:
    """A port on loopback that nothing listens on now, chosen by the system,
    for a server a test starts. Another process could take it before the
    server binds it: the server then fails to start, and the test with it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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


def prepared_installation(shared: Path) -> Path:
    """A folder prepared as bench/load_server.Server prepares one (no
    accounts but the seeds' documenter) and kept with its secrets
    (`Server.keep_prepared`), made once in `shared`: the first process to
    ask (of the run's xdist workers, which share that folder) prepares it
    under a lock; the others wait for it and reuse it."""
    template = shared / "prepared-installation"
    with open(shared / "prepared-installation.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (template / "secrets.json").exists():
            server = bench_module("load_server").Server(
                workers=1, researchers=0, writers=0, keep=False
            )
            # The run's migrated database: the migrations read no setting
            # but the user model, so the set-up's migrate finds nothing left
            # to apply (and the run migrates once, not twice).
            migrated = migrated_installation(shared) / "archive.sqlite3"
            shutil.copy2(migrated, server.data_dir / migrated.name)
            try:
                server.prepare()
                server.keep_prepared(template)
            finally:
                server.clean_up()
    return template


def fresh_environment(folder: Path, *, master_key: str) -> dict:
    """The environment of a fresh installation in `folder` under the dev
    settings, with none of this process's archive settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ARCHIVE_", "DJANGO_", "DATABASE_URL"))
    }
    return env | {
        "DJANGO_SETTINGS_MODULE": "archive.settings.dev",
        "ARCHIVE_DATA_DIR": str(folder),
        "ARCHIVE_MASTER_KEY": master_key,
    }


def migrated_installation(shared: Path) -> Path:
    """A data folder as a new installation's `manage.py migrate` leaves it
    under the dev settings (the migrated SQLite database, the signing key
    the dev settings make, the cache folder), made once in `shared` as
    `prepared_installation` is: an installation's tests copy it instead of
    each migrating anew. The migrations read no setting but the user model
    and write no secret, so the database is the same whatever the
    installation's settings and master key (which the folder holds none of:
    each test gives its own, or the dev settings make one on first use)."""
    template = shared / "migrated-installation"
    with open(shared / "migrated-installation.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            folder = Path(tempfile.mkdtemp(prefix="archive-migrated-", dir=shared))
            # A key of the migrate's own, so that no master.key is left.
            env = fresh_environment(folder, master_key=_throwaway_key())
            subprocess.run(  # noqa: S603 (our interpreter, our arguments)
                [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                cwd=ROOT, env=env, check=True, capture_output=True, timeout=300,
            )  # fmt: skip
            # Renamed into place whole: no one copies half a folder.
            folder.rename(template)
    return template


def _throwaway_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


class Installation:
    """bench/load_server.Server, with what tests ask of it. `prepared`: a
    folder from `prepared_installation`, copied instead of preparing."""

    def __init__(
        self, *, workers=2, researchers=0, writers=0, serve=True, prepared=None
    ):
        self.serve = serve
        self.prepared = prepared
        load_server = bench_module("load_server")
        self.server = load_server.Server(
            workers=workers,
            researchers=researchers,
            writers=writers,
            keep=False,
            prepared=prepared,
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

    def manage(self, *args, env=None, **popen) -> subprocess.Popen:
        """A manage.py command of this installation, running (`env`: more
        environment variables)."""
        return subprocess.Popen(  # noqa: S603 (our interpreter, our arguments)
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
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
