"""Writes to the archive, one module per kind of work. Search follows by
itself after each commit (search.signals); an erasure also purges the
index's files (search.indexing.testimonies_purge)."""

from .attachments import (
    AttachmentRefused,
    attachment_add,
    attachment_remove,
    attachment_set_blur,
)
from .bulk_import import testimonies_import_new
from .consent import consent_capture, consent_record, consent_withdraw
from .erasure import testimony_erase
from .imports import ImportResult, testimonies_import
from .marking import redaction_candidates_decide, redaction_marks_set
from .public_holds import testimony_public_release
from .recording import (
    NewNeighbourhood,
    WitnessDetails,
    recording_account_save,
    recording_start,
    recording_what_save,
    recording_when_where_save,
    recording_witness_save,
)
from .reveal import RevealedIdentity, witness_reveal
from .review import testimony_approve, testimony_send_back, testimony_submit

__all__ = [
    "AttachmentRefused",
    "attachment_add",
    "attachment_remove",
    "attachment_set_blur",
    "ImportResult",
    "NewNeighbourhood",
    "RevealedIdentity",
    "consent_capture",
    "consent_record",
    "consent_withdraw",
    "recording_account_save",
    "recording_start",
    "recording_what_save",
    "recording_when_where_save",
    "recording_witness_save",
    "redaction_candidates_decide",
    "redaction_marks_set",
    "testimonies_import",
    "testimonies_import_new",
    "testimony_approve",
    "testimony_erase",
    "testimony_public_release",
    "testimony_send_back",
    "testimony_submit",
    "WitnessDetails",
    "witness_reveal",
]
