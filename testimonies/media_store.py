"""Where a testimony's media files live, and the one code that deletes them.

There is no attachment model yet. Whatever stores a testimony's files
(recordings, photos, scans) must put them under
MEDIA_ROOT/testimonies/<public id>/, because services.testimony_erase removes
that folder and is the only place in the code that deletes media: an erased
testimony must leave no file behind.
"""

import hashlib
import os
from pathlib import Path

from django.conf import settings

_CHUNK = 1024 * 1024


def media_folder(testimony) -> Path:
    """The folder holding this testimony's files (it may not exist)."""
    return Path(settings.MEDIA_ROOT) / "testimonies" / testimony.public_id


def _files(folder: Path) -> list[Path]:
    """Every file under `folder`, symbolic links included but not followed."""
    if not folder.is_dir() or folder.is_symlink():
        return []
    found = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        found += [Path(root) / name for name in files]
        found += [
            Path(root) / name for name in dirs if (Path(root) / name).is_symlink()
        ]
    return sorted(found)


def media_digests(testimony) -> list[dict]:
    """Path (relative, POSIX), size and SHA-256 of each media file, for the
    erasure's digest."""
    folder = media_folder(testimony)
    listed = []
    for path in _files(folder):
        entry = {"path": path.relative_to(folder).as_posix()}
        if path.is_symlink():
            entry["link"] = os.readlink(path)
        else:
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
            entry |= {"size": path.stat().st_size, "sha256": digest.hexdigest()}
        listed.append(entry)
    return listed


def _overwrite(path: Path) -> None:
    """Zero a file's bytes in place before unlinking it: on a filesystem that
    writes in place it leaves nothing to undelete. (On copy-on-write or
    flash storage only encryption at rest protects old blocks.)"""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        remaining = size
        while remaining > 0:
            step = min(remaining, _CHUNK)
            handle.write(b"\0" * step)
            remaining -= step
        handle.flush()
        os.fsync(handle.fileno())


def media_destroy(testimony) -> int:
    """Overwrite and delete every media file of this testimony, then its
    folder. A symbolic link is removed, never followed: what it points to is
    not this testimony's. Returns the number of files removed."""
    folder = media_folder(testimony)
    if folder.is_symlink():
        folder.unlink()
        return 1
    files = _files(folder)
    for path in files:
        if not path.is_symlink():
            _overwrite(path)
        path.unlink()
    if folder.is_dir():
        for root, dirs, _names in os.walk(folder, topdown=False):
            for name in dirs:
                (Path(root) / name).rmdir()
        folder.rmdir()
    return len(files)
