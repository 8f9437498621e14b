"""Writes about incidents: propose, confirm, merge, split, link and unlink.
Each asks the access policy first (refused: IncidentActionRefused, written
nothing) and is written to the audit chain in the same transaction. Search
documents of the testimonies concerned are rewritten after the commit by
the index's signal processor (search.signals), which hears every link
saved or deleted here."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.audit import audit_record
from testimonies.core.models import Testimony
from testimonies.incidents.audit_actions import IncidentAuditAction
from testimonies.incidents.models import (
    Incident,
    IncidentLink,
    IncidentStatus,
    LinkRole,
)
from testimonies.incidents.selectors import (
    CommunityGroup,
    incident_describing_witness_ids,
    witness_community_breakdown,
)
from testimonies.policy import Action, allows
from testimonies.vault.reveal import reason_identifies_any


class IncidentActionRefused(PermissionDenied):
    """The policy refused the write; nothing was written. Views ask the
    policy before calling a service, so this is a second line, not the
    answer users see."""


def _require(user, action, target=None):
    if not allows(user, action, target):
        raise IncidentActionRefused


def _audit(action, *, user, incident, detail=""):
    audit_record(action=action, target=incident.public_id, actor=user, detail=detail)


@transaction.atomic
def incident_propose(
    *,
    user,
    title: str,
    title_ar: str,
    summary: str = "",
    summary_ar: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    precision: str = "day",
    places=(),
    event_types=(),
    communities=(),
    key: str | None = None,
    actor_label: str = "",
) -> Incident:
    """Record a new incident, proposed (a moderator confirms it). `user`
    None is an operator's command (the import), recorded by `actor_label`."""
    if user is not None:
        _require(user, Action.PROPOSE_INCIDENT)
    incident = Incident(
        title=title,
        title_ar=title_ar,
        summary=summary,
        summary_ar=summary_ar,
        start=start,
        end=end or start,
        precision=precision,
        key=key or None,
        proposed_by=user,
    )
    incident.full_clean()
    incident.save()
    incident.places.set(places)
    incident.event_types.set(event_types)
    incident.communities.set(communities)
    audit_record(
        action=IncidentAuditAction.PROPOSED,
        target=incident.public_id,
        actor=user,
        actor_label=actor_label,
    )
    return incident


@transaction.atomic
def incident_confirm(*, user, incident: Incident) -> Incident:
    """A moderator confirms that the incident happened as recorded."""
    _require(user, Action.MODERATE_INCIDENT, incident)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.merged_into_id or incident.is_confirmed:
        return incident
    incident.status = IncidentStatus.CONFIRMED
    incident.confirmed_by = user
    incident.confirmed_at = timezone.now()
    incident.full_clean()
    incident.save()
    _audit(IncidentAuditAction.CONFIRMED, user=user, incident=incident)
    return incident


def incident_edited(*, user, incident: Incident) -> None:
    """Record that a moderator changed an incident's details in the admin
    (titles, summaries, dates, places, vocabularies), once the change and
    its tags are saved."""
    _require(user, Action.MODERATE_INCIDENT, incident)
    _audit(IncidentAuditAction.EDITED, user=user, incident=incident)


@transaction.atomic
def witness_communities_read(
    *, user, incident: Incident, reason: str
) -> list[CommunityGroup]:
    """The breakdown of the incident's describing witnesses by their own
    communities, for a user the policy allows (READ_WITNESS_COMMUNITIES),
    after the caller checked their password: written to the audit chain
    first, as a reveal is (who, when, which incident, why). Refused, with
    nothing written, when the reason names one of the witnesses (the log
    keeps it forever). Returned to be shown in this response only, never
    stored, logged or cached."""
    _require(user, Action.READ_WITNESS_COMMUNITIES, incident)
    reason = " ".join(reason.split())
    witness_ids = incident_describing_witness_ids(incident=incident, user=user)
    if reason_identifies_any(reason, witness_ids=witness_ids):
        raise ValidationError(
            {
                "reason": ValidationError(
                    _(
                        "The reason must not contain a witness's name, contact "
                        "or birth year: the audit log keeps it for good."
                    ),
                    code="reason_identifies",
                )
            }
        )
    _audit(
        IncidentAuditAction.WITNESS_COMMUNITIES_READ,
        user=user,
        incident=incident,
        detail=reason,
    )
    return witness_community_breakdown(incident=incident, user=user)


def _link_move(link: IncidentLink, target: Incident) -> None:
    """Move one link to `target`. Where the testimony is linked there
    already, one link stays: "describes" wins over "mentions" (a witness who
    describes the event in either record describes it)."""
    existing = IncidentLink.objects.filter(
        testimony_id=link.testimony_id, incident=target
    ).first()
    if existing is None:
        link.incident = target
        link.save()
        return
    if link.role == LinkRole.DESCRIBES and existing.role != LinkRole.DESCRIBES:
        existing.role = LinkRole.DESCRIBES
        existing.save()
    link.delete()


@transaction.atomic
def incident_merge(*, user, incident: Incident, into: Incident) -> Incident:
    """A moderator finds `incident` to be the same event as `into`: every
    link moves there (duplicates resolved by _link_move), and `incident`
    keeps only its address, which redirects to `into`, as do the addresses
    of incidents merged into it before."""
    _require(user, Action.MODERATE_INCIDENT, incident)
    if incident.pk == into.pk or into.merged_into_id or incident.merged_into_id:
        raise ValueError("merge an incident into another current incident")
    for link in IncidentLink.objects.filter(incident=incident).order_by("pk"):
        _link_move(link, into)
    Incident.objects.filter(merged_into=incident).update(merged_into=into)
    incident.merged_into = into
    incident.full_clean()
    incident.save()
    _audit(
        IncidentAuditAction.MERGED,
        user=user,
        incident=incident,
        detail=f"into {into.public_id}",
    )
    return into


@transaction.atomic
def incident_split(
    *, user, incident: Incident, testimonies, title: str, title_ar: str
) -> Incident:
    """A moderator moves the links of `testimonies` from `incident` to a new
    incident with these titles, its dates and tags copied from `incident`
    (to be corrected in the admin), in the same status."""
    _require(user, Action.MODERATE_INCIDENT, incident)
    links = list(
        IncidentLink.objects.filter(incident=incident, testimony__in=testimonies)
    )
    if not links or incident.merged_into_id:
        raise ValueError("choose testimonies linked to this incident")
    new = Incident(
        title=title,
        title_ar=title_ar,
        summary=incident.summary,
        summary_ar=incident.summary_ar,
        start=incident.start,
        end=incident.end,
        precision=incident.precision,
        status=incident.status,
        proposed_by=user,
        confirmed_by=incident.confirmed_by,
        confirmed_at=incident.confirmed_at,
    )
    new.full_clean()
    new.save()
    new.places.set(incident.places.all())
    new.event_types.set(incident.event_types.all())
    new.communities.set(incident.communities.all())
    for link in links:
        link.incident = new
        link.save()
    _audit(
        IncidentAuditAction.SPLIT,
        user=user,
        incident=incident,
        detail=f"{len(links)} links to {new.public_id}",
    )
    return new


@transaction.atomic
def incident_link(
    *, user, incident: Incident, testimony: Testimony, role: str = LinkRole.DESCRIBES
) -> IncidentLink:
    """Link `testimony` to `incident` with `role` (or change the role of
    its link). The user must be allowed to link this testimony and to see
    the incident; a merged incident is linked through the one it became."""
    _require(user, Action.LINK_INCIDENT, testimony)
    while incident.merged_into_id:
        incident = incident.merged_into
    _require(user, Action.VIEW_INCIDENT, incident)
    link, created = IncidentLink.objects.get_or_create(
        testimony=testimony,
        incident=incident,
        defaults={"role": role, "linked_by": user},
    )
    if not created and link.role != role:
        link.role = role
        link.full_clean()
        link.save()
    elif created:
        link.full_clean()
    _audit(
        IncidentAuditAction.LINKED,
        user=user,
        incident=incident,
        detail=f"{testimony.public_id} {role}",
    )
    return link


@transaction.atomic
def incident_unlink(*, user, incident: Incident, testimony: Testimony) -> bool:
    """Remove `testimony`'s link to `incident`; False when there was none."""
    _require(user, Action.LINK_INCIDENT, testimony)
    _require(user, Action.VIEW_INCIDENT, incident)
    link = IncidentLink.objects.filter(testimony=testimony, incident=incident).first()
    if link is None:
        return False
    link.delete()
    _audit(
        IncidentAuditAction.UNLINKED,
        user=user,
        incident=incident,
        detail=testimony.public_id,
    )
    return True


def incidents_import(*, rows, actor_label: str) -> dict[str, Incident]:
    """Write the incident lines of an import (testimonies.imports), in its
    transaction: a key new to the archive creates an incident (audited as
    proposed by the import), a known key updates that incident's details.
    Returns the incidents by key, those the lines declared."""
    written = {}
    for row in rows:
        incident = Incident.objects.filter(key=row.key).first()
        created = incident is None
        incident = incident or Incident(key=row.key)
        for name in (
            "title", "title_ar", "summary", "summary_ar", "start", "end",
            "precision", "status",
        ):  # fmt: skip
            setattr(incident, name, getattr(row, name))
        incident.full_clean()
        incident.save()
        incident.places.set(row.places)
        incident.communities.set(row.communities)
        incident.event_types.set(row.event_types)
        if created:
            audit_record(
                action=IncidentAuditAction.PROPOSED,
                target=incident.public_id,
                actor_label=actor_label,
            )
        written[row.key] = incident
    return written


def incident_links_import(*, links, incidents: dict, actor_label: str) -> None:
    """Link the testimonies an import wrote to the incidents its lines name
    ((testimony, key, role) each), in its transaction: keys the import
    declared (`incidents`) or the archive holds (the reader checked them).
    A link there already takes the line's role; links the line does not
    name are left as they are. Each new or changed link is audited."""
    keys = {key for _testimony, key, _role in links} - set(incidents)
    incidents = {**incidents, **Incident.objects.in_bulk(keys, field_name="key")}
    for testimony, key, role in links:
        incident = incidents[key]
        while incident.merged_into_id:
            incident = incident.merged_into
        link, created = IncidentLink.objects.get_or_create(
            testimony=testimony, incident=incident, defaults={"role": role}
        )
        if not created and link.role == role:
            continue
        if not created:
            link.role = role
            link.save()
        audit_record(
            action=IncidentAuditAction.LINKED,
            target=incident.public_id,
            actor_label=actor_label,
            detail=f"{testimony.public_id} {role}",
        )
