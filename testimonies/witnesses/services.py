"""Witness keys typed by documenters, and the conflicts moderators decide.

A documenter groups the testimonies of one person under a key of their own
choosing (a notebook code). Keys are matched across the archive, so a key
can name a witness another documenter recorded. Telling the documenter so
would let anyone test which keys exist, and taking a key first would lock
its owner out of it. Instead the answer is always the same as for a key
never used: the draft gets a witness of the documenter's own (the
claimant), which the same key gives them again. Moderators see each such
conflict (testimonies.witnesses.selectors.witness_key_conflicts) and decide: the same
person (the claimant's accounts join the witness the key named, with every
spelling of the name kept for redaction) or two people (they stay apart).
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.audit import audit_record
from testimonies import policy
from testimonies.audit_actions import AuditAction
from testimonies.imports.services import witness_for_key
from testimonies.models import (
    Community,
    KeyConflictResolution,
    Testimony,
    Witness,
    WitnessKeyConflict,
)
from testimonies.policy import Action
from testimonies.vault import sealing as vault
from testimonies.vault.identity import (
    identity_erase_if_unused,
    identity_read,
    identity_store,
    witness_key_digest,
)


def witness_for_key_of(*, witness_key: str, current: Witness | None, user) -> Witness:
    """The witness a documenter's key gives their draft (`current`: the
    draft's witness so far, if any). As imports.witness_for_key decides,
    except that a key naming a witness `user` may not record under
    (the policy's Action.RECORD_UNDER) gives the user's claimant for that key, made
    now if need be, and records the conflict for moderators."""
    if not witness_key:
        return witness_for_key(witness_key="", current=current)
    digest = witness_key_digest(witness_key)
    named = Witness.objects.filter(key_digest=digest).first()
    if (
        named is None
        or (current is not None and named.pk == current.pk)
        or not named.testimonies.exists()
        or policy.allows(user, Action.RECORD_UNDER, named)
    ):
        return witness_for_key(witness_key=witness_key, current=current)
    conflict = (
        WitnessKeyConflict.objects.select_for_update()
        .filter(key_digest=digest, raised_by=user)
        .first()
    )
    if conflict is not None and conflict.claimant_id is not None:
        return conflict.claimant
    # The draft's own witness, when it has no key of its own: nothing moves.
    if current is not None and current.key_digest is None:
        claimant = current
    else:
        claimant = Witness.objects.create(key_digest=None)
    if conflict is None:
        conflict = WitnessKeyConflict(key_digest=digest, raised_by=user)
    conflict.existing, conflict.claimant = named, claimant
    conflict.resolution, conflict.resolved_by, conflict.resolved_at = "", None, None
    conflict.full_clean()
    conflict.save()
    return claimant


def _joined_identity(existing: Witness, claimant: Witness) -> None:
    """The claimant's name (and its spellings), contact and birth year kept
    with the existing witness's identity: the joined accounts may spell the
    name their own way, and every spelling must still be redacted."""
    kept, joining = identity_read(witness=existing), identity_read(witness=claimant)
    if joining is None:
        return
    if kept is None:
        kept = joining
    spellings = [kept.name, *kept.name_variants]
    for spelling in [joining.name, *joining.name_variants]:
        if spelling and spelling not in spellings:
            spellings.append(spelling)
    identity_store(
        witness=existing,
        name=spellings[0],
        name_variants=spellings[1:],
        contact=kept.contact or joining.contact,
        birth_year=kept.birth_year or joining.birth_year,
        gender=kept.gender if kept.gender != "unknown" else joining.gender,
        community=Community.objects.filter(
            pk=kept.community_id or joining.community_id
        ).first(),
    )


@vault.keys_unit_of_work()
def witness_key_conflict_resolve(
    *, conflict: WitnessKeyConflict, same_person: bool, by
) -> WitnessKeyConflict:
    """Decide a conflict (moderators only). The same person: the claimant's
    testimonies move to the witness the key named (sealed again under its
    key), its identity joins that one, and the claimant goes. Two people:
    they stay apart, and the documenter keeps their claimant for the key.
    Audited by the witnesses' pseudonyms. A testimony with files attached
    cannot move (its files are sealed under the claimant's key)."""
    if not policy.sees_everything(by):
        raise ValidationError(_("Only moderators decide this."), code="not_moderator")
    conflict = WitnessKeyConflict.objects.select_for_update().get(pk=conflict.pk)
    if conflict.resolution:
        raise ValidationError(_("This was decided already."), code="decided")
    existing, claimant = conflict.existing, conflict.claimant
    if existing is None or claimant is None:
        raise ValidationError(
            _("One of the two witnesses is no longer in the archive."), code="gone"
        )
    pseudonyms = f"{claimant.pseudonym} / {existing.pseudonym}"
    if same_person:
        moving = list(Testimony.objects.select_for_update().filter(witness=claimant))
        if any(testimony.attachments.exists() for testimony in moving):
            raise ValidationError(
                _(
                    "A testimony of this witness has files attached: it cannot "
                    "move to another witness. Keep them apart."
                ),
                code="attachments",
            )
        _joined_identity(existing, claimant)
        for testimony in moving:
            testimony.witness = existing  # saving seals it under that key
            testimony.full_clean()
            testimony.save()
        identity_erase_if_unused(witness=claimant)
        conflict.claimant = None
        claimant.delete()
    conflict.resolution = (
        KeyConflictResolution.SAME_PERSON
        if same_person
        else KeyConflictResolution.DIFFERENT_PEOPLE
    )
    conflict.resolved_by, conflict.resolved_at = by, timezone.now()
    conflict.full_clean()
    conflict.save()
    audit_record(
        action=AuditAction.WITNESS_KEY_DECIDED,
        actor=by,
        target=existing.pseudonym,
        detail=f"{conflict.get_resolution_display()}: {pseudonyms}",
    )
    return conflict
