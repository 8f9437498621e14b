"""Erasing a testimony for good, leaving a tombstone. Search follows after
the commit, and the index's files are purged (search.indexing)."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from archive.audit import audit_record
from search.indexing import testimonies_schedule_purge
from testimonies.attachments.media_store import media_destroy
from testimonies.audit_actions import AuditAction
from testimonies.consent.erasure_content import content_sha256, erased_content
from testimonies.consent.services.public_holds import Departure
from testimonies.models import Erasure, Testimony, TestimonyStatus
from testimonies.places.gazetteer import places_remove_unused
from testimonies.vault.identity import identity_erase_if_unused

logger = logging.getLogger(__name__)

CONSENT_TERMS = ("method", "obtained_by", "obtained_on", "embargo_until")


def _erase_text_stores(testimony: Testimony) -> None:
    """Empty every stored copy of the testimony's text and description.

    The one place that knows where the text is kept: the testimony row
    (narrative, translations, summary, persons named, words marked for
    redaction, incident dates), its attachments' rows, and
    its tags (and the places documenters added that no other testimony
    uses), and the versions kept for review diffs (ReviewedVersion, with
    the moderators' comments, which may quote the text). A new store of the
    text must be emptied here as well, and added to
    testimonies.consent.erasure_content.erased_content so that the digest
    covers it. Media files are media_store's; the search index's files are
    purged after the commit.
    """
    testimony.reviewed_versions.all().delete()
    # Attachments: their rows (sealed description and file name) go; their
    # files go with the media folder; their custody entries stay as
    # evidence, holding nothing that names anyone.
    testimony.attachments.all().delete()
    testimony.narrative = ""
    testimony.translations = {}
    testimony.summary = ""
    testimony.persons_named = []
    testimony.redaction_marks = []
    testimony.redaction_decisions = []
    testimony.incident_start = testimony.incident_end = None
    testimony.status = TestimonyStatus.ERASED
    testimony.full_clean()
    testimony.save()
    tagged = list(testimony.places.all())
    testimony.places.clear()
    testimony.communities.clear()
    testimony.event_types.clear()
    # A place a documenter added for this account (often named after
    # someone) goes with it, unless another testimony uses it.
    places_remove_unused(tagged)


@transaction.atomic
def testimony_erase(
    *, testimony: Testimony, reason: str, erased_by=None, erased_by_label: str = ""
) -> Erasure:
    """Erase a testimony for good and leave a tombstone. Irreversible.

    The SHA-256 of everything erased (testimonies.consent.erasure_content) is kept in an
    append-only Erasure row with who erased it (`erased_by`, a user, or
    `erased_by_label` for a command), when and why. Then the text and its
    descriptive tags are emptied (_erase_text_stores), the witness's identity
    is deleted if no testimony of theirs is left unerased, and the media
    files are overwritten and deleted (this service is the only code that
    deletes media). When the transaction commits, the testimony leaves the
    search index and the index is rewritten without it, in the same request
    or command. SQLite zeroes freed space (archive.database), so the text
    does not linger in the database file. The audit log gets the public id
    and the digest only.

    The consent history stays: it is evidence of what the witness agreed to
    and withdrew, and holds no part of the account.
    """
    testimony = (
        Testimony.objects.select_for_update()
        .select_related("witness")
        .get(pk=testimony.pk)
    )
    if testimony.is_erased:
        raise ValidationError(
            _("This testimony has already been erased."), code="already_erased"
        )
    digest = content_sha256(erased_content(testimony))
    erasure = Erasure(
        testimony=testimony,
        content_sha256=digest,
        erased_by=erased_by,
        erased_by_label=erased_by_label,
        reason=reason.strip(),
    )
    erasure.full_clean()
    erasure.save()
    departure = Departure(testimony)  # what it disclosed, read before it goes
    _erase_text_stores(testimony)
    departure.public_holds()
    identity_deleted = identity_erase_if_unused(witness=testimony.witness)
    # Last, once every database write has succeeded: files cannot be
    # rolled back, and a failure before this point must leave them.
    files = media_destroy(testimony)
    audit_record(
        action=AuditAction.ERASED,
        target=testimony.public_id,
        actor=erased_by,
        actor_label=erased_by_label,
        detail=f"sha256={digest}",
        subject=erasure,
    )
    logger.info(
        "erased %s: %d media files, identity deleted: %s",
        testimony.public_id,
        files,
        identity_deleted,
    )
    # The purge is promised in this transaction (search.indexing): written
    # after the commit, or by the next search if this process dies first.
    testimonies_schedule_purge([testimony.pk])
    return erasure
