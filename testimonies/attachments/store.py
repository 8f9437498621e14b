"""An attachment's files on disk, every one sealed by the vault.

MEDIA_ROOT/testimonies/<testimony public id>/attachments/<attachment public
id>/<variant>.sealed, where the variant is one of VARIANTS. Each file is
encrypted (AES-256-GCM, testimonies.vault.sealing) with the witness's data key and
bound to its attachment and variant: the disk holds no photo, document or
recording in the clear, a file copied over another does not open, and
destroying the witness's key at an erasure makes every copy of them
unreadable, backups included (crypto-shredding). The original is sealed
exactly as received; its SHA-256 (on the row and the custody entry) is over
those bytes.

Files are written once the database transaction has committed
(files_write_on_commit): a refused upload, an error or a rolled-back
transaction leaves no file, and a failed write leaves none either
(media_store.media_write).
"""

from django.db import transaction

from testimonies.attachments.media_store import attachment_folder, media_write
from testimonies.vault import sealing as vault

ORIGINAL = "original"
WORKING, WORKING_THUMB = "working", "working-thumb"
PUBLIC, PUBLIC_THUMB = "public", "public-thumb"
VARIANTS = (ORIGINAL, WORKING, WORKING_THUMB, PUBLIC, PUBLIC_THUMB)
# Which copy (testimonies.policy.media_copies) each variant is a file of.
COPY_OF = {
    ORIGINAL: "original",
    WORKING: "working",
    WORKING_THUMB: "working",
    PUBLIC: "public",
    PUBLIC_THUMB: "public",
}


def file_name(variant: str) -> str:
    return f"{variant}.sealed"


def _purpose(attachment, variant: str) -> str:
    return f"attachment:{attachment.pk}:{variant}"


def files_seal(attachment, contents: dict[str, bytes]) -> dict[str, bytes]:
    """The sealed bytes of each variant, by file name."""
    witness_id = attachment.testimony.witness_id
    return {
        file_name(variant): vault.vault_seal_bytes(
            witness_id=witness_id, purpose=_purpose(attachment, variant), data=data
        )
        for variant, data in contents.items()
    }


def files_write_on_commit(attachment, contents: dict[str, bytes], on_failure=None):
    """Seal `contents` (variant -> bytes) now, and write them when the
    transaction commits. `on_failure(error)` runs if the write fails (the
    database has committed by then: it undoes what the files needed)."""
    sealed = files_seal(attachment, contents)
    folder = attachment_folder(attachment.testimony, attachment.public_id)

    def write():
        try:
            media_write(folder, sealed)
        except OSError as error:
            if on_failure is None:
                raise
            on_failure(error)

    transaction.on_commit(write)


def file_open(attachment, variant: str) -> bytes | None:
    """The variant's bytes in the clear, or None when the file is missing
    or does not open (its key destroyed, or the file altered)."""
    path = attachment_folder(attachment.testimony, attachment.public_id) / (
        file_name(variant)
    )
    try:
        sealed = path.read_bytes()
    except OSError:
        return None
    try:
        return vault.vault_open_bytes(
            witness_id=attachment.testimony.witness_id,
            purpose=_purpose(attachment, variant),
            sealed=sealed,
        )
    except vault.VaultError:
        return None
