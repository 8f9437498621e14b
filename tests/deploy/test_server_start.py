"""A server process, once started (archive.wsgi), has written what was
pending and frozen its start-up out of the garbage collector's passes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

SCRIPT = """
import gc
import archive.wsgi  # noqa: F401 (the entry point, as the server loads it)
print(gc.get_freeze_count())
"""


def test_the_start_up_is_frozen_out_of_full_collections(tmp_path):
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="archive.settings.dev",
        ARCHIVE_DATA_DIR=str(tmp_path),
    )
    done = subprocess.run(  # noqa: S603 - our interpreter, our script
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    frozen = int(done.stdout.strip().splitlines()[-1])
    # Django, the archive's models and views, their URLs: tens of thousands.
    assert frozen > 50_000
