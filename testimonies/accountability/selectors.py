"""What an accountability package may hold, read at the moment it is made.

A testimony goes into a package only when its witness consented to sharing
with accountability bodies, in the consent record in force, and it is
released (approved, kept in the archive, embargo passed) with no word still
waiting for a person's decision. Every other testimony asked for is listed
as left out, with the reason and nothing of its content. The witness's
identity and the unredacted wording go only to a recipient the consent
record names (ConsentRecord.identity_recipients).
"""

import mimetypes
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _

from archive.models import AuditEntry
from testimonies import policy
from testimonies.attachments import store
from testimonies.consent.models.consent import ConsentEvent
from testimonies.incidents.models import Incident, IncidentLink, LinkRole
from testimonies.incidents.selectors import witnesses_several_communities
from testimonies.models import (
    Attachment,
    AttachmentCustody,
    ConsentRecord,
    Testimony,
    TestimonyStatus,
)
from testimonies.redaction.generalisation import readable_texts_many
from testimonies.vault.identity import Identity, identity_read


class LeftOut(StrEnum):
    """Why a testimony asked for is not in the package."""

    NOT_FOUND = "not_found"
    SCOPE_MISSING = "scope_missing"
    WITHDRAWN = "withdrawn"
    EMBARGOED = "embargoed"
    NOT_RELEASED = "not_released"
    UNDECIDED_WORDS = "undecided_words"


LEFT_OUT_REASONS = {
    LeftOut.NOT_FOUND: _("No such testimony, or it was erased"),
    LeftOut.SCOPE_MISSING: _(
        "The witness did not consent to sharing with accountability bodies"
    ),
    LeftOut.WITHDRAWN: _("The witness withdrew consent"),
    LeftOut.EMBARGOED: _("Under embargo"),
    LeftOut.NOT_RELEASED: _("Not approved by the moderators yet"),
    LeftOut.UNDECIDED_WORDS: _(
        "Words that may name someone still wait for a moderator's decision"
    ),
}


@dataclass(frozen=True)
class LeftOutTestimony:
    public_id: str
    reason: LeftOut

    @property
    def reason_text(self) -> str:
        return str(LEFT_OUT_REASONS[self.reason])


@dataclass
class PackagedAttachment:
    attachment: Attachment
    file_name: str  # the original's name inside the package (never as sent)
    # The original in the clear; None: withheld, or it does not open.
    content: bytes | None
    custody: list[AttachmentCustody]


@dataclass
class PackagedTestimony:
    testimony: Testimony
    consent_records: list[ConsentRecord]
    consent: ConsentRecord
    # The unredacted wording and the identity: only for a recipient the
    # consent in force names.
    original_allowed: bool
    narrative: str
    translations: dict[str, str]
    summary: str
    identity: Identity | None
    attachments: list[PackagedAttachment] = field(default_factory=list)
    # Its links to incidents not merged away, oldest first.
    incident_links: list[IncidentLink] = field(default_factory=list)


@dataclass(frozen=True)
class PackagedIncident:
    """The incident a package was made for, as the package shows it:
    corroboration counted over the packaged testimonies alone."""

    incident: Incident
    places: list
    event_types: list
    communities: list
    witnesses: int
    testimonies: int
    mentions: int
    testimony_communities: list
    # The witnesses' own communities, as yes / no / not_shown (never more:
    # docs/incidents.md), over the packaged describing witnesses.
    several_communities: str


@dataclass
class PackageSelection:
    recipient: str
    requested: list[str]
    included: list[PackagedTestimony]
    left_out: list[LeftOutTestimony]
    incident: PackagedIncident | None = None


class PackageIncidentRefused(Exception):
    """The incident asked for does not exist, or was merged into another
    (`merged_into`: the one it became)."""

    def __init__(self, public_id: str, merged_into: Incident | None = None):
        super().__init__(public_id)
        self.public_id = public_id
        self.merged_into = merged_into


def package_incident(*, public_id: str) -> tuple[Incident, list[str]]:
    """The incident at `public_id` and the public ids of every testimony
    linked to it (either role, oldest link first), for a package made for
    that incident. PackageIncidentRefused when there is none, or when it
    was merged (its links moved to the one it became: asking for it would
    give an empty package under a name that no longer holds)."""
    incident = Incident.objects.filter(public_id=public_id.strip()).first()
    if incident is None:
        raise PackageIncidentRefused(public_id)
    if incident.merged_into_id:
        raise PackageIncidentRefused(public_id, merged_into=incident.merged_into)
    ids = list(
        incident.links.order_by("linked_at", "pk").values_list(
            "testimony__public_id", flat=True
        )
    )
    return incident, ids


def _left_out_reason(testimony: Testimony, consent, today) -> LeftOut | None:
    """Why `testimony` may not go to an accountability body, or None."""
    if testimony.status == TestimonyStatus.ERASED:
        return LeftOut.NOT_FOUND
    withdrawn = testimony.status == TestimonyStatus.WITHDRAWN or (
        consent is not None
        and consent.event == ConsentEvent.WITHDRAWAL
        and not consent.accountability
    )
    if withdrawn:
        return LeftOut.WITHDRAWN
    if not (
        policy.scope_granted(consent, "archive")
        and policy.scope_granted(consent, "accountability")
    ):
        return LeftOut.SCOPE_MISSING
    if consent.embargo_until and consent.embargo_until > today:
        return LeftOut.EMBARGOED
    if testimony.status != TestimonyStatus.APPROVED:
        return LeftOut.NOT_RELEASED
    return None


def _extension(media_type: str) -> str:
    return mimetypes.guess_extension(media_type) or ".bin"


def _packaged_attachments(
    testimony: Testimony, *, with_originals: bool
) -> list[PackagedAttachment]:
    """Each attachment with its custody. The original itself (unblurred,
    with whatever its camera wrote: GPS, a face) only with the identity, to
    a body the witness named: the photos question is asked apart from the
    scopes, and consent to accountability bodies is not consent to show
    them the witness's face. Without it, the digest and custody still let
    the body ask for the file and check it."""
    custody_by_attachment: dict[str, list[AttachmentCustody]] = {}
    for entry in testimony.attachment_custody.all():  # prefetched, by pk
        custody_by_attachment.setdefault(entry.attachment_public_id, []).append(entry)
    return [
        PackagedAttachment(
            attachment=attachment,
            file_name=f"original{_extension(attachment.media_type)}",
            content=(
                store.file_open(attachment, store.ORIGINAL) if with_originals else None
            ),
            custody=custody_by_attachment.get(attachment.public_id, []),
        )
        for attachment in testimony.attachments.all()  # prefetched, in order
    ]


def package_selection(
    *, recipient: str, public_ids: list[str], incident: Incident | None = None
) -> PackageSelection:
    """The testimonies among `public_ids` that may go to `recipient`, with
    their texts, consent records, identities where consented, attachments
    and custody; the others as left out, with why. In the order asked, each
    id once."""
    requested = list(dict.fromkeys(public_ids))
    today = policy.today()
    found = {
        t.public_id: t
        for t in Testimony.objects.filter(public_id__in=requested)
        .select_related("witness")
        .prefetch_related(
            "places",
            "communities",
            "event_types",
            Prefetch("consent_records", ConsentRecord.objects.order_by("pk")),
            Prefetch("attachments", Attachment.objects.order_by("uploaded_at", "pk")),
            Prefetch("attachment_custody", AttachmentCustody.objects.order_by("pk")),
            Prefetch(
                "incident_links",
                IncidentLink.objects.filter(incident__merged_into=None)
                .select_related("incident")
                .order_by("linked_at", "pk"),
            ),
        )
    }
    consents = {}
    for public_id, testimony in found.items():
        records = list(testimony.consent_records.all())  # prefetched, by pk
        consents[public_id] = (records, records[-1] if records else None)
    releasable = [
        t
        for public_id, t in found.items()
        if _left_out_reason(t, consents[public_id][1], today) is None
    ]
    # Redacted as a researcher reads them; the identities in one query.
    redacted = readable_texts_many(releasable, public=False)
    included, left_out = [], []
    for public_id in requested:
        testimony = found.get(public_id)
        if testimony is None:
            left_out.append(LeftOutTestimony(public_id, LeftOut.NOT_FOUND))
            continue
        records, consent = consents[public_id]
        reason = _left_out_reason(testimony, consent, today)
        if reason is None:
            packaged = _packaged(
                testimony, records, consent, recipient, redacted[testimony.pk]
            )
            if packaged is None:
                reason = LeftOut.UNDECIDED_WORDS
            else:
                included.append(packaged)
        if reason is not None:
            left_out.append(LeftOutTestimony(public_id, reason))
    return PackageSelection(
        recipient=recipient,
        requested=requested,
        included=included,
        left_out=left_out,
        incident=incident and _packaged_incident(incident, included),
    )


def _packaged_incident(incident: Incident, included) -> PackagedIncident:
    """`incident` as a package of `included` shows it: distinct witnesses,
    accounts and their communities among the packaged testimonies that
    describe it; its places less any a documenter added that no packaged
    testimony shows (the same rule as policy.places_visible)."""
    describing, mentions = [], 0
    for packaged in included:
        for link in packaged.incident_links:
            if link.incident_id != incident.pk:
                continue
            if link.role == LinkRole.DESCRIBES:
                describing.append(packaged.testimony)
            else:
                mentions += 1
    shown_paths = [
        place.path for packaged in included for place in packaged.testimony.places.all()
    ]
    places = [
        place
        for place in incident.places.order_by("path")
        if not place.added_by_documenter
        or any(path.startswith(place.path) for path in shown_paths)
    ]
    communities = {c.pk: c for t in describing for c in t.communities.all()}
    return PackagedIncident(
        incident=incident,
        places=places,
        event_types=list(incident.event_types.order_by("slug")),
        communities=list(incident.communities.order_by("slug")),
        witnesses=len({t.witness_id for t in describing}),
        testimonies=len(describing),
        mentions=mentions,
        testimony_communities=sorted(communities.values(), key=lambda c: c.slug),
        several_communities=str(
            witnesses_several_communities({t.witness_id for t in describing})
        ),
    )


def _packaged(
    testimony, records, consent, recipient, redacted
) -> PackagedTestimony | None:
    """One testimony as a package holds it (`redacted`: its texts with names
    replaced); None while a word waits for a decision (the release gate
    every output obeys)."""
    if redacted.undecided:
        return None
    original_allowed = consent.names_identity_recipient(recipient)
    if original_allowed:
        narrative = testimony.narrative
        translations = dict(testimony.translations)
        summary = testimony.summary
    else:
        narrative, translations, summary = (
            redacted.narrative,
            dict(redacted.translations),
            redacted.summary,
        )
    return PackagedTestimony(
        testimony=testimony,
        consent_records=records,
        consent=consent,
        original_allowed=original_allowed,
        narrative=narrative,
        translations=dict(sorted(translations.items())),
        summary=summary,
        identity=identity_read(witness=testimony.witness) if original_allowed else None,
        attachments=_packaged_attachments(testimony, with_originals=original_allowed),
        incident_links=list(testimony.incident_links.all()),  # prefetched
    )


def package_audit_entries(selection: PackageSelection) -> list[AuditEntry]:
    """The audit chain's entries about the packaged testimonies (by target)
    and the evidence rows they seal (consent records, custody entries), in
    the chain's order."""
    testimonies = [p.testimony for p in selection.included]
    if not testimonies:
        return []
    consent_ids = [str(r.pk) for p in selection.included for r in p.consent_records]
    custody_ids = [
        str(c.pk) for p in selection.included for a in p.attachments for c in a.custody
    ]
    concerning = (
        Q(target__in=[t.public_id for t in testimonies])
        | Q(
            subject_type=ConsentRecord._meta.label_lower,
            subject_id__in=consent_ids,
        )
        | Q(
            subject_type=AttachmentCustody._meta.label_lower,
            subject_id__in=custody_ids,
        )
    )
    return list(AuditEntry.objects.filter(concerning).order_by("pk"))


def audit_chain_head() -> AuditEntry | None:
    """The latest entry of the audit chain."""
    return AuditEntry.objects.order_by("-pk").first()
