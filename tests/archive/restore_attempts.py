"""`manage.py restore` tried on several backups in turn by one process, each
attempt answered on its own: its exit status, what it wrote, and the files
of the installation right after it.

A Python start-up (Django, the apps, the URLs) costs more than refusing a
damaged backup, so the refusals of many damaged copies share one process.
Each attempt goes through manage.py's own entry point, as from a shell, and
its database connections are closed after it, as at a process's end, so
anything an attempt left uncommitted is gone before its files are read.
Run in an installation's environment, it prints the answers as JSON:
    python -m tests.archive.restore_attempts BACKUP...
"""

import contextlib
import hashlib
import io
import json
import os
import sys
import traceback
from pathlib import Path

from django.db import connections

import manage


def files_of(folder: Path) -> dict[str, str]:
    """Every file of an installation with its SHA-256: 'unchanged' means this."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(
            path.read_bytes()
        ).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def restore_attempt(path: str, folder: Path) -> dict:
    """One `manage.py restore path`, as the command line runs it."""
    stdout, stderr = io.StringIO(), io.StringIO()
    sys.argv = ["manage.py", "restore", path]
    returncode = 0
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            manage.main()
        except SystemExit as exit:
            returncode = exit.code if isinstance(exit.code, int) else 1
        except Exception:
            # What the interpreter would print before exiting with 1.
            traceback.print_exc()
            returncode = 1
    connections.close_all()
    return {
        "returncode": returncode,
        "stdout": stdout.getvalue(),
        "stderr": stderr.getvalue(),
        "files": files_of(folder),
        "media": (folder / "media").exists(),
    }


if __name__ == "__main__":
    folder = Path(os.environ["ARCHIVE_DATA_DIR"])
    answers = {path: restore_attempt(path, folder) for path in sys.argv[1:]}
    print(json.dumps(answers))
