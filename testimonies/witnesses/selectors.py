"""What moderators read to decide witness key conflicts
(testimonies.witnesses.services)."""

from dataclasses import dataclass

from testimonies.models import Testimony, WitnessKeyConflict


@dataclass(frozen=True)
class ConflictSide:
    """One witness of a conflict, by pseudonym, with its testimonies (their
    public ids, states and documenters): nothing that names the witness."""

    pseudonym: str
    testimonies: list[Testimony]


@dataclass(frozen=True)
class ConflictRow:
    conflict: WitnessKeyConflict
    existing: ConflictSide | None
    claimant: ConflictSide | None


def witness_key_conflicts_waiting() -> int:
    """How many conflicts wait for a decision (the review queue says so)."""
    return WitnessKeyConflict.objects.filter(resolution="").count()


def witness_key_conflicts(*, decided: bool) -> list[ConflictRow]:
    """Open conflicts, the oldest first (`decided`: the decided ones, the
    latest first), each with both witnesses and their testimonies."""
    conflicts = WitnessKeyConflict.objects.select_related(
        "existing", "claimant", "raised_by", "resolved_by"
    )
    if decided:
        conflicts = conflicts.exclude(resolution="").order_by("-resolved_at")
    else:
        conflicts = conflicts.filter(resolution="").order_by("raised_at", "pk")
    conflicts = list(conflicts)
    witness_ids = {pk for c in conflicts for pk in (c.existing_id, c.claimant_id) if pk}
    by_witness: dict[int, list[Testimony]] = {}
    for testimony in (
        Testimony.objects.filter(witness_id__in=witness_ids)
        .select_related("recorded_by")
        .order_by("recorded_on", "pk")
    ):
        by_witness.setdefault(testimony.witness_id, []).append(testimony)

    def side(witness):
        if witness is None:
            return None
        return ConflictSide(witness.pseudonym, by_witness.get(witness.pk, []))

    return [
        ConflictRow(conflict=c, existing=side(c.existing), claimant=side(c.claimant))
        for c in conflicts
    ]
