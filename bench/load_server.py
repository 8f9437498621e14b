"""The production server the load test drives when no --url is given.

A throw-away data folder, freshly generated secrets, the seeds and a few
testimonies per writer, accounts for the simulated users, then gunicorn with
the production settings on a free loopback port. Everything (database,
vault keys, index) is deleted afterwards unless --keep is given.

Or, with `prepared`, a copy of a data folder prepared so before (the seeds,
the index, the static files; no accounts but the seeds' documenter) under
the secrets kept beside it: only what the run adds is then done. A folder
for that holds `data/` and `secrets.json` (`Server.keep_prepared`).
"""

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
# The vault's own key generator, without Django's start-up (it reads no
# setting).
sys.path.insert(0, str(ROOT))
from testimonies.vault.sealing import master_key_generate  # noqa: E402

SEEDS = ROOT / "seeds" / "testimonies.jsonl"
# The seeds are recorded by this documenter: the account must exist first.
SEED_DOCUMENTER = "documenter"
TESTIMONIES_PER_WRITER = 2
# Rate limits (when the site has them) are lifted for the run: the test
# measures the server, not the limiter. 429s are still counted apart.
UNLIMITED = "1000000/minute"
RATE_VARIABLES = [
    "ARCHIVE_RATE_ANON",
    "ARCHIVE_RATE_USER",
    "ARCHIVE_RATE_EXPORT",
    "ARCHIVE_RATE_LOGIN",
    "ARCHIVE_RATE_MEDIA",
]
# What a prepared data folder was made under (`keep_prepared`).
SECRETS = ("ARCHIVE_SECRET_KEY", "ARCHIVE_PSEUDONYM_KEY", "ARCHIVE_MASTER_KEY")
# Inherited variables that would point the server at another installation's
# data, keys or settings: none of them reaches the server.
INHERITED = ("ARCHIVE_", "DJANGO_", "DATABASE_URL")

CREATE_ACCOUNTS = """
import json, os
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
accounts = json.loads(os.environ["LOAD_ACCOUNTS"])
User = get_user_model()
for username, password, group in accounts:
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=group))
"""

# Several manage.py commands in one Python process, one after the other, as
# `call_command` runs them: a set-up of separate commands paid a Django
# start-up each (over a second on two busy cores), and the steps share
# nothing that a fresh process would reset. Each step is a manage.py command
# line; the commands print as they would alone.
RUN_STEPS = """
import json, os
from django.core.management import call_command
for step in json.loads(os.environ["LOAD_STEPS"]):
    call_command(*step)
"""

# Per testimony of the writers: consent records and consent audit entries.
COUNT_WRITES = """
import json, os
from archive.models import AuditEntry
from testimonies.audit_actions import AuditAction
from testimonies.models import ConsentRecord, Testimony
counts = {}
for t in Testimony.objects.filter(external_id__startswith="load-"):
    counts[t.public_id] = {
        "consent_records": ConsentRecord.objects.filter(testimony=t).count(),
        "audit_entries": AuditEntry.objects.filter(
            action=AuditAction.CONSENT_RECORDED, target=t.public_id
        ).count(),
    }
print(json.dumps(counts))
"""


@dataclass
class Account:
    username: str
    password: str
    role: str


@dataclass
class Accounts:
    researchers: list[Account] = field(default_factory=list)
    writers: list[Account] = field(default_factory=list)

    @classmethod
    def from_file(cls, path: Path) -> "Accounts":
        """{"researchers": [[user, password], ...], "writers": [...]}"""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(
            researchers=[Account(u, p, "researcher") for u, p in data["researchers"]],
            writers=[Account(u, p, "documenter") for u, p in data["writers"]],
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _writer_testimony(writer: str, number: int) -> dict:
    """A made-up testimony kept by one writer: approved, open to
    researchers, so that every consent saved rewrites its search document."""
    return {
        "external_id": f"load-{writer}-{number}",
        "witness": {
            "name": f"Load Test Witness {writer} {number}",
            "gender": "unknown",
        },
        "language": "en",
        "narrative": (
            "Synthetic account for the load test. Armed men entered the "
            "neighbourhood in the afternoon and searched the houses one by one."
        ),
        "recorded_on": "2025-03-20",
        "recorded_by": writer,
        "incident": {"start": "2025-03-07", "end": "2025-03-08", "precision": "day"},
        "places": ["Banias"],
        "communities": ["alawite"],
        "event_types": ["looting"],
        "status": "approved",
        "consent": {
            "archive": True,
            "researchers": True,
            "method": "oral",
            "obtained_by": writer,
            "obtained_on": "2025-03-20",
        },
    }


class Server:
    """gunicorn with the production settings in a temp data folder."""

    def __init__(
        self,
        *,
        workers: int,
        researchers: int,
        writers: int,
        keep: bool,
        prepared: Path | None = None,
    ):
        """`prepared`: a folder that `keep_prepared` filled, to start from a
        copy of its data folder, under its secrets; fresh ones by default."""
        self.workers = workers
        self.keep = keep
        self.prepared = prepared
        self.data_dir = Path(tempfile.mkdtemp(prefix="archive-load-"))
        self.log_path = self.data_dir / "gunicorn.log"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.accounts = Accounts(
            researchers=[
                Account(f"load-researcher-{n}", secrets.token_urlsafe(18), "researcher")
                for n in range(1, researchers + 1)
            ],
            writers=[
                Account(f"load-writer-{n}", secrets.token_urlsafe(18), "documenter")
                for n in range(1, writers + 1)
            ],
        )
        given = None
        if prepared is not None:
            given = json.loads((prepared / "secrets.json").read_text())
        self.env = self._environment(given)

    def _environment(self, given: dict | None) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(INHERITED)}
        env.update(
            ARCHIVE_DATA_DIR=str(self.data_dir),
            ARCHIVE_SECRET_KEY=secrets.token_urlsafe(64),
            ARCHIVE_PSEUDONYM_KEY=secrets.token_urlsafe(32),
            ARCHIVE_ALLOWED_HOSTS="127.0.0.1",
            PYTHONUNBUFFERED="1",
        )
        env.update({name: UNLIMITED for name in RATE_VARIABLES})
        if given:
            env.update(given)
            env["DJANGO_SETTINGS_MODULE"] = "archive.settings.production"
            return env
        env["ARCHIVE_MASTER_KEY"] = master_key_generate()
        env["DJANGO_SETTINGS_MODULE"] = "archive.settings.production"
        return env

    def _manage(self, *args: str, env: dict | None = None, extra=None) -> str:
        run_env = dict(env or self.env)
        run_env.update(extra or {})
        # Our own interpreter and manage.py, with arguments of our own.
        done = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=run_env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def run_steps(self, *steps: tuple[str, ...], extra=None) -> str:
        """manage.py commands (each a command line) in turn, in ONE Python
        process; what they printed."""
        return self._manage(
            "shell",
            "-v",
            "0",
            "-c",
            RUN_STEPS,
            extra={**(extra or {}), "LOAD_STEPS": json.dumps(steps)},
        )

    def prepare(self, *, before_index=(), after=()) -> str:
        """Database, seeds, accounts, the writers' testimonies, the index,
        in one Python process (from a copy of the `prepared` folder: only
        the accounts, the writers' testimonies and the index).
        `before_index`: more commands to run before the index is built (more
        testimonies); `after`: more to run last. Returns what the commands
        printed."""
        fresh = self.prepared is None
        everyone = [
            (a.username, a.password, a.role)
            for a in [*self.accounts.researchers, *self.accounts.writers]
        ]
        if fresh:
            everyone.insert(
                0, (SEED_DOCUMENTER, secrets.token_urlsafe(18), "documenter")
            )
            steps = [("migrate", "--noinput"), ("load_gazetteer", "SY")]
        else:
            shutil.copytree(
                self.prepared / "data", self.data_dir, symlinks=True, dirs_exist_ok=True
            )
            steps = []
        if everyone:
            steps.append(("shell", "-v", "0", "-c", CREATE_ACCOUNTS))
        if fresh:
            steps.append(("import_testimonies", str(SEEDS)))
        if self.accounts.writers:
            own = self.data_dir / "load-testimonies.jsonl"
            own.write_text(
                "".join(
                    json.dumps(_writer_testimony(a.username, n)) + "\n"
                    for a in self.accounts.writers
                    for n in range(1, TESTIMONIES_PER_WRITER + 1)
                ),
                encoding="utf-8",
            )
            steps.append(("import_testimonies", str(own)))
        steps.extend(before_index)
        if steps:  # the index of what the database now holds
            steps.append(("rebuild_index", "--noinput"))
        if fresh:
            steps.append(("collectstatic", "--noinput"))
        steps.extend(after)
        if not steps:
            return ""
        return self.run_steps(*steps, extra={"LOAD_ACCOUNTS": json.dumps(everyone)})

    def keep_prepared(self, folder: Path) -> None:
        """Keep this prepared installation in `folder` (its data folder and
        the secrets it is under), for servers to start from a copy of it."""
        shutil.copytree(self.data_dir, folder / "data", symlinks=True)
        kept = folder / "secrets.json"
        kept.touch(mode=0o600)
        kept.write_text(json.dumps({k: self.env[k] for k in SECRETS}))

    def start(self, timeout: float = 60) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 (our interpreter, our args)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "archive.wsgi",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                answer = httpx.get(
                    self.url + "/", headers={"X-Forwarded-Proto": "https"}, timeout=5
                )
                if answer.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer in {timeout} s")

    # The command that prints the write counts, as a step of `prepare` or
    # of `final_checks`.
    COUNT_WRITES_STEP = ("shell", "-v", "0", "-c", COUNT_WRITES)

    @staticmethod
    def write_counts(output: str) -> dict:
        """Consent records and audit entries per writer testimony, as
        COUNT_WRITES_STEP printed them last in `output`."""
        return json.loads(output.strip().splitlines()[-1])

    def final_checks(self) -> tuple[dict, str]:
        """The write counts (`write_counts`) and the audit chain's
        verification, from the database itself, in one process."""
        output = self.run_steps(("verify_audit",), self.COUNT_WRITES_STEP)
        audit = output.strip().splitlines()[:-1]
        return self.write_counts(output), "\n".join(audit).strip()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def clean_up(self) -> None:
        if not self.keep:
            shutil.rmtree(self.data_dir, ignore_errors=True)
