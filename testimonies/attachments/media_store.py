"""Where a testimony's media files live, and the one code that writes and
deletes them.

Whatever stores a testimony's files (attachments: recordings, photos,
scans; testimonies.attachments.store) puts them under
MEDIA_ROOT/testimonies/<public id>/, because services.testimony_erase removes
that folder: an erased testimony must leave no file behind. Only this module
deletes media: the whole folder at an erasure (media_destroy), one
attachment's folder when it is removed before approval
(media_destroy_attachment), and its own half-written files.

MEDIA_ROOT lies under DATA_DIR and no URL serves it: files reach a browser
only through the attachment view, which asks the access policy.
"""

import hashlib
import os
import secrets
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


def attachment_folder(testimony, attachment_public_id: str) -> Path:
    """The folder of one attachment's files, inside its testimony's."""
    return media_folder(testimony) / "attachments" / attachment_public_id


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def media_write(folder: Path, files: dict[str, bytes]) -> None:
    """Write every file (name -> bytes) into `folder`, each first to a
    temporary file in the same folder, synced, then renamed over its name:
    a reader never sees half a file. If anything fails, the temporary files
    are removed, and so is any file this call already put in place (as the
    files of one attachment go together), then the error is raised."""
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[Path] = []
    placed: list[Path] = []
    try:
        for name, data in files.items():
            temporary = folder / f".{name}.{secrets.token_hex(8)}.tmp"
            staged.append(temporary)
            with temporary.open("xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        for temporary, name in zip(staged, files, strict=True):
            os.replace(temporary, folder / name)
            placed.append(folder / name)
        _fsync_folder(folder)
    except BaseException:
        for path in staged + placed:
            path.unlink(missing_ok=True)
        raise


def media_destroy_attachment(
    testimony, attachment_public_id: str, *, names: list[str] | None = None
) -> int:
    """Overwrite and delete one attachment's files and its folder (and the
    testimony's folders left empty); with `names`, only those files of it.
    Returns the number of files removed."""
    folder = attachment_folder(testimony, attachment_public_id)
    if folder.is_symlink():
        folder.unlink()
        return 1
    files = _files(folder)
    if names is not None:
        files = [path for path in files if path.parent == folder and path.name in names]
    for path in files:
        if not path.is_symlink():
            _overwrite(path)
        path.unlink()
    for directory in (folder, folder.parent, folder.parent.parent):
        try:
            directory.rmdir()
        except OSError:  # not there, or other files still in it
            break
    return len(files)
