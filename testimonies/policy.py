"""The archive's access policy: who may see which testimony, and how.

Every page, the search API, the search index and the admin ask this module;
nothing else decides access. Every "may this user do this to this
testimony, witness or attachment?" is one call, `allows(user, Action.X,
target)`, each action's rule written below it; what a user may see comes from
the query helpers (visible_testimonies, exportable_testimonies,
places_visible, search_filter, media_copies). The rule is written once, as data
(AUDIENCE_SCOPES), and read three ways: as a database filter
(visible_testimonies), as index fields (index_audiences, index_visible_from)
and as a search filter (search_filter). tests/archive/test_policy.py checks
that the three agree for every role and every consent state.

The rule:
- moderators (and superusers) see everything, once their session has passed
  the second factor (before that they read as researchers);
- a testimony is *released* when it is approved, the witness consented to it
  being archived, and any embargo has passed;
- the public sees released testimonies with `public` consent, unless held
  back after a re-identification check (testimonies.redaction.reidentification);
- researchers see released testimonies with `researchers` or `public` consent;
- documenters see what researchers see, plus every testimony they recorded
  that has not been withdrawn (a withdrawal hides it from all but moderators);
- an erased testimony is no longer a testimony for anyone: only its
  tombstone remains, shown to moderators
  (testimonies.core.selectors.testimony_tombstone).
Anything else does not exist for that user (404, never 403).

Accountability packages (Action.EXPORT_PACKAGE) are made by moderators
after their second factor, and hold only testimonies whose witnesses
consented to accountability bodies (testimonies.accountability.selectors).

Exports are an audience of their own: an export leaves the archive, so it is
sharing with researchers whoever asks. Researchers and moderators may export,
and an export holds only released testimonies with `researchers` consent, for
moderators too: consent decides what leaves, not rank.

Consent is read scope by scope, and only a scope granted in the current
consent record opens anything (scope_granted): a scope never granted, or
withdrawn, cannot be used, and moderators are shown which scopes are
missing (scopes_not_granted) so that nobody uses the testimony for them.
Withdrawing is open to moderators and to the documenter who recorded the
testimony (Action.WITHDRAW); erasing to moderators (Action.ERASE). A
testimony's review is assigned to a moderator by moderators while it is
neither withdrawn nor erased (Action.ASSIGN_REVIEW). Words are
marked for redaction by moderators and, before review, by the recording
documenter (Action.MARK_REDACTIONS).

Where the approval chose a generalised public view (a place raised, dates
widened, after the re-identification check), the public sees only that
(sees_precise_details); the other roles see the places and dates as recorded.

Incidents (testimonies.incidents) are seen through their testimonies: a
user sees an incident only when at least one of its links is shown to them
(links_shown: the testimony is visible to them and, for the public, the
incident is no finer than the testimony's generalised public view), and
every list, count and facet of incidents is built from those links alone.
Moderators see every incident; documenters also see incidents that nobody
has linked yet, to link their own testimonies to them (visible_incidents).
Documenters and moderators propose incidents (Action.PROPOSE_INCIDENT); a
testimony is linked or unlinked by its recording documenter and by
moderators (Action.LINK_INCIDENT); moderators confirm, merge and split
(Action.MODERATE_INCIDENT).

Places are public knowledge when they come from the gazetteer; a place a
documenter added for a testimony is private until a testimony that shows it
is visible to the reader (places_visible): the place picker, "did you mean",
place names matched in a query and place filters all ask.

Attachments (photos, documents, recordings) follow the testimony and the
witness's answer to its own question, "may the photos and documents be
shown, and to whom?" (Action.VIEW_MEDIA, images_shown_to): to researchers, or
to everyone who may read the testimony; not asked means not shown. The
recording documenter and moderators see them without it. Who gets which copy
(media_copies): the public and researchers the public copy, with the areas
moderators blurred; the recording documenter and moderators the unblurred
working copy; the sealed original (and any PDF or recording, which have no
cleaned copy: a voice or a document's metadata can identify) moderators
only, each opening logged. Read per request: a withdrawal of that answer
stops the serving at once. Files are attached by the recording documenter
while the testimony is a draft or sent back, and by moderators
(Action.ATTACH); areas are blurred by moderators (Action.BLUR_MEDIA).

A witness's identity (name, contact, birth year) is shown on one page only,
after a stated reason and the user's password, and each showing is written
to the audit chain: to moderators and to a documenter who recorded one of
that witness's testimonies (Action.REVEAL_WITNESS_IDENTITY). Nowhere else,
for nobody.
"""

import datetime
from enum import StrEnum

from django.db.models import Q
from django.utils import timezone
from haystack.query import SQ

from archive.roles import Role, role_of
from testimonies.consent.models.consent import ConsentScope
from testimonies.core.models import (
    CLOSED_STATUSES,
    PRECISION_ORDER,
    Testimony,
    TestimonyStatus,
)
from testimonies.incidents.models import Incident, IncidentLink


class Action(StrEnum):
    """What a user may ask to do; the target each takes is in brackets."""

    VIEW = "view"  # (testimony)
    READ_UNREDACTED = "read_unredacted"  # (testimony)
    RECORD_CONSENT = "record_consent"  # (testimony)
    SUBMIT = "submit"  # (testimony)
    EDIT_RECORDING = "edit_recording"  # (testimony)
    MARK_REDACTIONS = "mark_redactions"  # (testimony)
    VIEW_MEDIA = "view_media"  # (testimony)
    ATTACH = "attach"  # (testimony)
    BLUR_MEDIA = "blur_media"  # (testimony)
    WITHDRAW = "withdraw"  # (testimony)
    ERASE = "erase"  # (testimony)
    REVEAL_IDENTITY = "reveal_identity"  # (testimony: its reveal page)
    REVEAL_WITNESS_IDENTITY = "reveal_witness_identity"  # (witness)
    RECORD_UNDER = "record_under"  # (witness)
    REVIEW = "review"  # (none)
    ASSIGN_REVIEW = "assign_review"  # (testimony)
    EXPORT = "export"  # (none)
    EXPORT_PACKAGE = "export_package"  # (none)
    SET_PASSWORD = "set_password"  # noqa: S105  (account, a user)
    VIEW_INCIDENT = "view_incident"  # (incident)
    PROPOSE_INCIDENT = "propose_incident"  # (none)
    LINK_INCIDENT = "link_incident"  # (testimony)
    MODERATE_INCIDENT = "moderate_incident"  # (incident)
    READ_WITNESS_COMMUNITIES = "read_witness_communities"  # (incident)
    SET_ACCOUNT_ACTIVE = "set_account_active"  # (account, a user)
    INVITE = "invite"  # (none)


def allows(user, action: Action, target=None) -> bool:
    """May `user` do `action` to `target` (a testimony, a witness or an
    account, as Action says; nothing for REVIEW and EXPORT)? Asked on every
    request; the rule of each action is the function RULES names."""
    return RULES[action](user, target)


# The audience of exports (a string beside the roles: nobody reads as one).
EXPORT = "export"
# Which consent scopes open a released testimony to each audience. Keys are
# audience names as stored in the index (Role is a StrEnum: its members are
# those names).
AUDIENCE_SCOPES = {
    Role.PUBLIC: ("public",),
    Role.RESEARCHER: ("researchers", "public"),
    EXPORT: ("researchers",),
}
# Who may export at all (moderators only with their second factor, which
# archive.access enforces).
EXPORT_ROLES = (Role.RESEARCHER, Role.MODERATOR)
# The audience whose view each role starts from.
ROLE_AUDIENCE = {
    Role.PUBLIC: Role.PUBLIC,
    Role.RESEARCHER: Role.RESEARCHER,
    Role.DOCUMENTER: Role.RESEARCHER,
}
# Stored in the index for testimonies under embargo-free release.
NO_EMBARGO = datetime.date(1970, 1, 1)


def today() -> datetime.date:
    # The archive's own day (settings.TIME_ZONE), whoever is reading: an
    # embargo ends at the same moment for every reader and for the index.
    return timezone.localdate(timezone=timezone.get_default_timezone())


def acting_role(user) -> Role:
    """The role a user reads with. A moderator whose session has not passed
    the second factor reads as a researcher until it has: the moderator's
    view holds originals and unreleased or withdrawn accounts. A user that
    comes from no session (a command run by an operator) carries no
    `is_verified` and keeps its role."""
    role = role_of(user)
    is_verified = getattr(user, "is_verified", None)
    if role is Role.MODERATOR and is_verified is not None and not is_verified():
        return Role.RESEARCHER
    return role


def sees_everything(user) -> bool:
    return acting_role(user) is Role.MODERATOR


def owns(user, testimony) -> bool:
    """The documenter who recorded this testimony, while it is not withdrawn."""
    return (
        acting_role(user) is Role.DOCUMENTER
        and testimony.recorded_by_id is not None
        and testimony.recorded_by_id == user.pk
        and not testimony.is_closed
    )


def _with_consent_read_by(queryset, audience):
    """`queryset` annotated with the consent that _released_to(audience)
    reads (and `consent_archive`, which pages read from the rows)."""
    return queryset.with_current_consent(
        "archive", "embargo_until", *AUDIENCE_SCOPES[audience]
    )


def _released_to(audience, on) -> Q:
    """Released (approved, archived, embargo passed on `on`) with one of the
    audience's scopes granted, on a queryset annotated with_current_consent."""
    scope_granted = Q()
    for scope in AUDIENCE_SCOPES[audience]:
        scope_granted |= Q(**{f"consent_{scope}": True})
    released = Testimony.objects.released_on(on) & scope_granted
    if audience is Role.PUBLIC:
        # Held back after a re-identification check: researchers only.
        released &= Q(public_hold="")
    return released


def visible_testimonies(queryset, user, *, on=None):
    """Filter a Testimony queryset down to what `user` may see."""
    role = acting_role(user)
    queryset = queryset.exclude(status=TestimonyStatus.ERASED)
    if role is Role.MODERATOR:
        return queryset
    audience = ROLE_AUDIENCE[role]
    released = _released_to(audience, on or today())
    if role is Role.DOCUMENTER:
        released |= Q(recorded_by=user) & ~Q(status__in=CLOSED_STATUSES)
    return _with_consent_read_by(queryset, audience).filter(released)


def places_visible(places, user, *, on=None) -> list:
    """The places among `places` that `user` may be shown, offered or told
    of (in the order given). The gazetteer's are public knowledge. A place
    a documenter added for a testimony is private until a testimony that
    shows it is visible to the user: tagged with it or with a place under
    it, as the user sees the testimony's places (the public after a
    generalised view raised them). Everyone else gets the answer they would
    get if it did not exist. One query, for the private ones only."""
    places = list(places)
    private = [place for place in places if place.added_by_documenter]
    if not private or sees_everything(user):
        return places
    tagged_under = Q()
    for place in private:
        tagged_under |= Q(places__path__startswith=place.path)
    shown = visible_testimonies(
        Testimony.objects.filter(tagged_under), user, on=on
    ).prefetch_related("places")
    precise = sees_precise_details(user)
    paths = set()
    for testimony in shown.distinct():
        if precise:
            paths.update(place.path for place in testimony.places.all())
        else:
            paths.update(testimony.public_place_paths())
    return [
        place
        for place in places
        if not place.added_by_documenter
        or any(path.startswith(place.path) for path in paths)
    ]


def _may_view(user, testimony) -> bool:
    """One testimony, by the same rule as visible_testimonies."""
    return visible_testimonies(
        type(testimony).objects.filter(pk=testimony.pk), user
    ).exists()


def _may_export(user, _=None) -> bool:
    """May this user export search results at all? (What an export holds is
    exportable_testimonies' business.)"""
    return role_of(user) in EXPORT_ROLES


def _may_export_package(user, _=None) -> bool:
    """Make an accountability package (testimonies.accountability): moderators
    whose session passed the second factor. What it holds is decided by each
    witness's consent to accountability bodies, not by this."""
    return sees_everything(user)


def exportable_testimonies(queryset, user, *, on=None):
    """Filter a Testimony queryset down to what `user` may export: released
    testimonies with `researchers` consent, whatever the user's rank; nothing
    for a user who may not export."""
    if not _may_export(user):
        return queryset.none()
    return _with_consent_read_by(queryset, EXPORT).filter(
        _released_to(EXPORT, on or today())
    )


def sees_precise_details(user) -> bool:
    """Exact places and dates of a testimony whose public view was
    generalised at approval (testimonies.redaction.reidentification): everyone but
    the public, who sees the generalised ones wherever they are shown."""
    return acting_role(user) is not Role.PUBLIC


def _may_read_unredacted(user, testimony) -> bool:
    """The narrative with names in it: moderators and the recording documenter."""
    return sees_everything(user) or owns(user, testimony)


def _keeps_record(user, testimony) -> bool:
    """The recording documenter or a moderator, while the testimony is
    neither withdrawn nor erased: nothing may be added to those."""
    if testimony.is_closed:
        return False
    return sees_everything(user) or owns(user, testimony)


def _may_record_consent(user, testimony) -> bool:
    """Append a consent event (the form at /testimonies/<id>/consent/)."""
    return _keeps_record(user, testimony)


def _may_submit(user, testimony) -> bool:
    """Send a testimony to the moderators; whether its state allows it is
    the review service's business."""
    return _keeps_record(user, testimony)


def _may_edit_recording(user, testimony) -> bool:
    """Open and save the recording steps of a testimony: while it is a
    draft or sent back, for the documenter who recorded it and moderators.
    Submitted, approved, withdrawn or erased accounts are not edited there:
    a moderator has read (or is reading) what was submitted."""
    if not testimony.is_editable:
        return False
    return sees_everything(user) or owns(user, testimony)


def _may_mark_redactions(user, testimony) -> bool:
    """Mark or unmark words for redaction (testimonies.redaction.marks): moderators on
    any testimony still kept, the recording documenter while the testimony
    is a draft or sent back (after that, a moderator has read what the
    marks hide)."""
    return _changes_before_review(user, testimony)


def _changes_before_review(user, testimony) -> bool:
    """Moderators on any testimony still kept; the recording documenter
    while it is a draft or sent back."""
    if testimony.is_closed:
        return False
    if sees_everything(user):
        return True
    return owns(user, testimony) and testimony.is_editable


MEDIA_ORIGINAL, MEDIA_WORKING, MEDIA_PUBLIC = "original", "working", "public"


# Who may be shown a testimony's photos and documents, by the witness's
# answer to that question (testimonies.models.ImagesShown), beyond those who
# recorded it and the moderators. Not asked ("") shows them to nobody.
IMAGES_AUDIENCES = {
    "public": (Role.PUBLIC, Role.RESEARCHER),
    "researchers": (Role.RESEARCHER,),
}


def images_shown_to(user, consent) -> bool:
    """Does the consent in force let `user`'s audience see the photos and
    documents? Its own question, apart from the scopes: the `media` scope
    (journalists may quote the account) says nothing about images."""
    if consent is None:
        return False
    audience = ROLE_AUDIENCE.get(acting_role(user))
    return audience in IMAGES_AUDIENCES.get(consent.images, ())


def _may_view_media(user, testimony) -> bool:
    """See a testimony's attachments at all: the testimony is visible to the
    user, and the witness agreed that its photos and documents be shown to
    the user's audience (images_shown_to; not needed by the recording
    documenter and moderators). Asked on every request."""
    if not _may_view(user, testimony):
        return False
    if sees_everything(user) or owns(user, testimony):
        return True
    return images_shown_to(user, testimony.current_consent())


def media_copies(user, testimony) -> frozenset[str]:
    """Which copies of a testimony's attachments the user may be served:
    MEDIA_PUBLIC (blurred), MEDIA_WORKING (unblurred, no metadata),
    MEDIA_ORIGINAL (as received; moderators only, logged). None at all
    without Action.VIEW_MEDIA."""
    if not _may_view_media(user, testimony):
        return frozenset()
    if sees_everything(user):
        return frozenset({MEDIA_ORIGINAL, MEDIA_WORKING, MEDIA_PUBLIC})
    if owns(user, testimony):
        return frozenset({MEDIA_WORKING, MEDIA_PUBLIC})
    return frozenset({MEDIA_PUBLIC})


def _may_attach(user, testimony) -> bool:
    """Add or remove attachments: the recording documenter while the
    testimony is a draft or sent back (after that a moderator has reviewed
    what it holds), moderators while it is neither withdrawn nor erased."""
    return _changes_before_review(user, testimony)


def _may_blur_media(user, testimony) -> bool:
    """Draw the areas blurred on the public copy of a photo: moderators."""
    return not testimony.is_closed and sees_everything(user)


def _may_review(user, _=None) -> bool:
    """Approve or send back submitted testimonies."""
    return sees_everything(user)


def _may_assign_review(user, testimony) -> bool:
    """Give a testimony's review to a moderator, or take it back: moderators,
    while the testimony is neither withdrawn nor erased."""
    return not testimony.is_closed and sees_everything(user)


def _may_withdraw(user, testimony) -> bool:
    """Record a withdrawal of consent: moderators (who must also have passed
    a second factor, archive.access) and the recording documenter."""
    return not testimony.is_erased and (sees_everything(user) or owns(user, testimony))


def _may_erase(user, testimony) -> bool:
    """Erase for good: moderators only (second factor in archive.access)."""
    return not testimony.is_erased and sees_everything(user)


def _may_reveal_witness_identity(user, witness) -> bool:
    """See who the witness is: moderators (with their second factor) and a
    documenter who recorded at least one testimony of this witness that is
    neither withdrawn nor erased. A witness who withdrew everything from an
    account ends its documenter's access to who they are through it, at
    once; moderators keep it (each reveal is audited). Nobody else,
    whatever else they may read."""
    role = acting_role(user)
    if role is Role.MODERATOR:
        return True
    if role is not Role.DOCUMENTER:
        return False
    return (
        witness.testimonies.filter(recorded_by=user)
        .exclude(status__in=CLOSED_STATUSES)
        .exists()
    )


def _may_record_under(user, witness) -> bool:
    """Record a testimony under an existing witness, chosen by its witness
    key: only someone who may see who the witness is. Anyone else would
    join another documenter's witness, and could then read its identity on
    the reveal page or replace it (and with it the names redacted from that
    witness's other accounts)."""
    return _may_reveal_witness_identity(user, witness)


def _may_reveal_identity(user, testimony) -> bool:
    """Open the reveal page of this testimony. A documenter reaches it only
    through a testimony they recorded: through another testimony of the same
    witness the page would tell them that the two accounts are one person's,
    which the archive keeps to itself (witness keys are stored as digests)."""
    if testimony.is_erased or not _may_reveal_witness_identity(user, testimony.witness):
        return False
    return sees_everything(user) or owns(user, testimony)


def _may_set_password(user, account) -> bool:
    """Set an account's password in the admin: moderators, for their own
    account and for accounts that are not moderators. Another moderator's
    password is theirs alone: with it and a reset of their second factor,
    one moderator could become another."""
    if not sees_everything(user):
        return False
    return account.pk == user.pk or role_of(account) is not Role.MODERATOR


def _may_set_account_active(user, account) -> bool:
    """Deactivate or reactivate an account: moderators (after their second
    factor), for any account but their own (the archive is never left
    without the moderator acting) and but a superuser's (set in the admin)."""
    if not sees_everything(user) or account is None:
        return False
    return account.pk != user.pk and not account.is_superuser


def _may_invite(user, target=None) -> bool:
    """Invite someone by e-mail to an account with a role: moderators, after
    their second factor."""
    return sees_everything(user)


def scope_granted(consent, scope: str) -> bool:
    """Does the consent in force grant this scope? No consent record grants
    nothing. The only way the policy reads a scope."""
    return consent is not None and bool(getattr(consent, scope))


def scopes_not_granted(consent) -> list[str]:
    """The consent scopes this testimony may not be used for, in the order
    of ConsentScope: every scope when no consent was ever recorded."""
    return [s for s in ConsentScope.values if not scope_granted(consent, s)]


def index_audiences(testimony, consent) -> list[str]:
    """The audiences a testimony is released to, stored in the search index.

    The embargo is not applied here but stored apart (index_visible_from) so
    that a testimony appears on its release date without being reindexed.
    """
    if testimony.status != TestimonyStatus.APPROVED or not scope_granted(
        consent, "archive"
    ):
        return []
    return [
        str(audience)
        for audience, scopes in AUDIENCE_SCOPES.items()
        if any(scope_granted(consent, scope) for scope in scopes)
        and not (audience is Role.PUBLIC and testimony.public_hold)
    ]


def index_visible_from(consent) -> datetime.date:
    return (consent and consent.embargo_until) or NO_EMBARGO


def search_filter(user, *, on=None):
    """A haystack SQ limiting search results to what `user` may see, or None
    for moderators. Results are checked again against the database."""
    role = acting_role(user)
    if role is Role.MODERATOR:
        return None
    audience = ROLE_AUDIENCE[role]
    condition = SQ(audiences=audience.value) & SQ(visible_from__lte=on or today())
    if role is Role.DOCUMENTER:
        condition |= SQ(owner=user.pk)
    return condition


def export_search_filter(*, on=None):
    """The haystack SQ of what may be exported, the same for everyone who may
    export. Results are checked again against the database
    (exportable_testimonies)."""
    return SQ(audiences=EXPORT) & SQ(visible_from__lte=on or today())


def _generalised_for(user) -> Q:
    """Links whose testimony `user` sees only at a generalised public level
    (a place raised or dates widened at approval): nothing for anyone who
    sees precise details."""
    if sees_precise_details(user):
        return Q(pk__in=[])
    return Q(testimony__public_place_levels_up__gt=0) | ~Q(
        testimony__public_date_precision=""
    )


def incident_no_finer(incident, testimony) -> bool:
    """Is the incident no more precise than the testimony's public view? Every
    place of the incident must be one of the testimony's public places or
    above one, and its dates known no more precisely than the public dates.
    Linking must not tell the public more of a generalised testimony than its
    approval chose to show. Reads the (prefetched) places of both."""
    public_paths = testimony.public_place_paths()
    for place in incident.places.all():
        if not any(path.startswith(place.path) for path in public_paths):
            return False
    if incident.start:
        if not testimony.incident_start:
            return False  # the public is shown no date for it at all
        finest = PRECISION_ORDER.index(testimony.public_incident.precision)
        if PRECISION_ORDER.index(incident.precision) < finest:
            return False
    return True


def links_shown(links, user, *, on=None):
    """Filter an IncidentLink queryset down to the links `user` may be shown:
    the testimony is visible to them and, where they see it only at its
    generalised public level, the incident is no finer than that
    (incident_no_finer). Everything about incidents (pages, counts, facets,
    the API) is built from these."""
    visible = links.filter(
        testimony__in=visible_testimonies(Testimony.objects.all(), user, on=on)
    )
    generalised = visible.filter(_generalised_for(user)).prefetch_related(
        "incident__places", "testimony__places"
    )
    too_fine = [
        link.pk
        for link in generalised.select_related("incident", "testimony")
        if not incident_no_finer(link.incident, link.testimony)
    ]
    return visible.exclude(pk__in=too_fine) if too_fine else visible


def links_exported(links, user, *, on=None):
    """Filter an IncidentLink queryset down to the links an export by `user`
    may hold: those shown to them (links_shown) and, as an export gives every
    testimony at its public view whoever exports, none that is finer than a
    generalised public view (incident_no_finer), even for a user who sees
    the testimony as recorded."""
    shown = links_shown(links, user, on=on)
    if not sees_precise_details(user):
        return shown  # links_shown held them to the public view already
    generalised = (
        shown.filter(
            Q(testimony__public_place_levels_up__gt=0)
            | ~Q(testimony__public_date_precision="")
        )
        .select_related("incident", "testimony")
        .prefetch_related("incident__places", "testimony__places")
    )
    too_fine = [
        link.pk
        for link in generalised
        if not incident_no_finer(link.incident, link.testimony)
    ]
    return shown.exclude(pk__in=too_fine) if too_fine else shown


def visible_incidents(queryset, user, *, on=None):
    """Filter an Incident queryset down to what `user` may see: an incident
    with at least one link shown to them (links_shown). Moderators see them
    all; documenters also those no testimony is linked to yet. A merged
    incident is seen as the one it was merged into (its selector follows
    merged_into first)."""
    role = acting_role(user)
    if role is Role.MODERATOR:
        return queryset
    shown = links_shown(IncidentLink.objects.all(), user, on=on)
    condition = Q(pk__in=shown.values("incident_id"))
    if role is Role.DOCUMENTER:
        condition |= ~Q(pk__in=IncidentLink.objects.values("incident_id"))
    return queryset.filter(condition)


def _may_view_incident(user, incident) -> bool:
    return visible_incidents(Incident.objects.filter(pk=incident.pk), user).exists()


def _may_read_witness_communities(user, incident) -> bool:
    """Open the breakdown of an incident's describing witnesses by their
    own communities (sealed in their identities): with few witnesses it
    tells who belongs where, so only those the reveal rule lets see any
    witness's identity, whoever recorded it (moderators after the second
    factor; a documenter reaches only their own witnesses), on an incident
    they may see. Each reading is audited as a reveal is."""
    return sees_everything(user) and _may_view_incident(user, incident)


def _may_propose_incident(user, _=None) -> bool:
    """Record a new incident: documenters and moderators."""
    return acting_role(user) in (Role.DOCUMENTER, Role.MODERATOR)


def _may_link_incident(user, testimony) -> bool:
    """Link a testimony to an incident or unlink it: moderators, and the
    documenter who recorded it, while it is neither withdrawn nor erased.
    (The incident must also be visible to them: the services ask.)"""
    return _keeps_record(user, testimony)


def _may_moderate_incident(user, incident=None) -> bool:
    """Confirm, merge, split or edit an incident: moderators."""
    return sees_everything(user)


# The rule behind each action (allows). Each takes the user and the target.
RULES = {
    Action.VIEW: _may_view,
    Action.READ_UNREDACTED: _may_read_unredacted,
    Action.RECORD_CONSENT: _may_record_consent,
    Action.SUBMIT: _may_submit,
    Action.EDIT_RECORDING: _may_edit_recording,
    Action.MARK_REDACTIONS: _may_mark_redactions,
    Action.VIEW_MEDIA: _may_view_media,
    Action.ATTACH: _may_attach,
    Action.BLUR_MEDIA: _may_blur_media,
    Action.WITHDRAW: _may_withdraw,
    Action.ERASE: _may_erase,
    Action.REVEAL_IDENTITY: _may_reveal_identity,
    Action.READ_WITNESS_COMMUNITIES: _may_read_witness_communities,
    Action.REVEAL_WITNESS_IDENTITY: _may_reveal_witness_identity,
    Action.RECORD_UNDER: _may_record_under,
    Action.REVIEW: _may_review,
    Action.ASSIGN_REVIEW: _may_assign_review,
    Action.EXPORT: _may_export,
    Action.EXPORT_PACKAGE: _may_export_package,
    Action.SET_PASSWORD: _may_set_password,
    Action.VIEW_INCIDENT: _may_view_incident,
    Action.PROPOSE_INCIDENT: _may_propose_incident,
    Action.LINK_INCIDENT: _may_link_incident,
    Action.MODERATE_INCIDENT: _may_moderate_incident,
    Action.SET_ACCOUNT_ACTIVE: _may_set_account_active,
    Action.INVITE: _may_invite,
}
