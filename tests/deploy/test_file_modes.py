"""Private by default on disk: after `make run`'s steps and an upload
through the site, the database, the vault's key store, the search index,
media and cache are readable by their owner only, whatever umask the
operator had (here none at all: 000)."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds" / "testimonies.jsonl"

# An upload through the site's own WSGI entry point (archive.wsgi), as a
# documenter would send it from the attachments page.
UPLOAD = """
import io
import archive.wsgi  # noqa: F401 (the entry point, as the server loads it)
from PIL import Image
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from testimonies.recording.services import WitnessDetails, recording_start

documenter = get_user_model().objects.get(username="documenter")
draft = recording_start(
    details=WitnessDetails(name="Nadia Karam"), user=documenter, language="en"
)
photo = io.BytesIO()
Image.new("RGB", (32, 24), "olive").save(photo, "JPEG")
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(documenter)
response = client.post(
    f"/testimonies/{draft.public_id}/attachments/",
    {"file": SimpleUploadedFile("street.jpg", photo.getvalue(), "image/jpeg"),
     "description": "the street"},
)
assert response.status_code == 302, response.status_code
print("uploaded")
"""

MAKE_RUN_STEPS = f"""
from django.core.management import call_command
call_command("migrate", "--noinput")
call_command("load_gazetteer", "SY")
call_command("create_demo_accounts")
call_command("import_testimonies", {str(SEEDS)!r})
call_command("rebuild_index", "--noinput")
"""


def run(*args, env):
    done = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=lambda: os.umask(0),  # the loosest umask an operator has
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.slow
def test_make_run_s_steps_and_an_upload_leave_nothing_readable_by_others(tmp_path):
    data = tmp_path / "data"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("ARCHIVE_", "DJANGO"))
    }
    env.update(
        ARCHIVE_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="archive.settings.dev"
    )
    # `make run`'s steps (Makefile, demo-data), in one manage.py process:
    # it sets its umask as it starts, as each of theirs does, and the files
    # are what the commands write (a start-up each cost seconds and showed
    # nothing more). Then a photo uploaded.
    run("manage.py", "shell", "-v", "0", "-c", MAKE_RUN_STEPS, env=env)
    assert "uploaded" in run("-c", UPLOAD, env=env)

    expected = {
        "database": data / "archive.sqlite3",
        "key store": data / "vault-keys.sqlite3",
        "master key": data / "master.key",
        "index": data / "whoosh",
        "media": data / "media",
        "cache": data / "cache",
    }
    for what, path in expected.items():
        assert path.exists(), what
    assert any((data / "media").rglob("*.*")), "the upload wrote no file"
    open_to_others = [
        f"{path.relative_to(tmp_path)} {stat.filemode(path.stat().st_mode)}"
        for path in [data, *data.rglob("*")]
        if path.stat().st_mode & 0o077
    ]
    assert open_to_others == []
