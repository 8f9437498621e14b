"""Words marked for redaction: the shape of Testimony.redaction_marks.

A documenter or moderator marks names (or other identifying words: a
nickname, the name of a house) that appear in the text and that the
witness's name and persons_named do not already cover. The field holds a
list with one mark a person:

    [{"spellings": ["Abu Samer", "أبو سامر"], "person": null},
     {"spellings": ["Umm Ali"], "person": "witness"},
     {"spellings": ["Hassoun"], "person": 2}]

- "spellings": one or more strings, each matched whole and never split into
  parts (a person's name is: "Ayman" alone is redacted for "Ayman Fares"),
  so that marking "the Darwish house" does not take every "house" with it.
  Matching ignores case, diacritics, Arabic letter variants and attached
  proclitics, as all redaction does (testimonies.redaction.redactor).
- "person": whose words they are.
  null: someone the testimony does not otherwise name, who gets a numbered
  placeholder after the persons named, in the order of the marks;
  "witness": another name of the witness, replaced by the pseudonym;
  N (from 1): the person of persons_named entry N, who keeps that number.
  A number past the end of persons_named (the list shrank on a re-import)
  counts as null: the words are still redacted, under a number of their own.

A spelling (as folded) appears once in the whole list, and "witness" or a
number in one mark at most: one row a person, one placeholder a person.
"""

from testimonies.textnorm import fold

WITNESS = "witness"
# Longer than any name; the service and the form refuse more.
MAX_SPELLING_LENGTH = 200
MAX_MARKS = 500


def spelling_key(spelling: str) -> str:
    """The form two spellings share when they are the same words."""
    return " ".join(fold(spelling).split())


def mark_parts(mark) -> tuple[list[str], str | int | None]:
    """The spellings and person of one mark; ValueError for any other shape."""
    if not isinstance(mark, dict) or set(mark) != {"spellings", "person"}:
        raise ValueError("a mark is {spellings, person}")
    spellings, person = mark["spellings"], mark["person"]
    if (
        not isinstance(spellings, list)
        or not spellings
        or not all(isinstance(s, str) and spelling_key(s) for s in spellings)
    ):
        raise ValueError("spellings: a list of words")
    valid_number = isinstance(person, int) and not isinstance(person, bool)
    if not (person is None or person == WITNESS or (valid_number and person >= 1)):
        raise ValueError("person: null, 'witness' or a number from 1")
    return spellings, person


def marks_check(marks) -> None:
    """ValueError unless `marks` has the documented shape."""
    if not isinstance(marks, list) or len(marks) > MAX_MARKS:
        raise ValueError("a list of marks")
    keys, people = set(), set()
    for mark in marks:
        spellings, person = mark_parts(mark)
        for spelling in spellings:
            if spelling_key(spelling) in keys:
                raise ValueError("a spelling marked twice")
            keys.add(spelling_key(spelling))
        if person is not None:
            if person in people:
                raise ValueError("one mark a person")
            people.add(person)


def mark_owners(marks, persons_count: int) -> list[str | int]:
    """Whose placeholder each mark takes: "witness" or a person's number.
    The one numbering that redaction, the editor and the diff share."""
    owners, next_number = [], persons_count + 1
    for mark in marks:
        person = mark["person"]
        if person == WITNESS or (person is not None and person <= persons_count):
            owners.append(person)
        else:
            owners.append(next_number)
            next_number += 1
    return owners


def marks_edited(
    marks, *, persons_count: int, remove=(), add: str = "", person=None
) -> list[dict]:
    """`marks` with the spellings in `remove` taken out and `add` marked as
    words of `person`: None for someone new, "witness", or a placeholder
    number as the editor showed it (a person named, or an earlier mark)."""
    edited = [{"spellings": list(m["spellings"]), "person": m["person"]} for m in marks]
    add = " ".join(add.split())
    if add:
        owners = mark_owners(edited, persons_count)
        if person is not None and person in owners:
            edited[owners.index(person)]["spellings"].append(add)
        elif person == WITNESS or (person is not None and person <= persons_count):
            edited.append({"spellings": [add], "person": person})
        else:
            edited.append({"spellings": [add], "person": None})
    gone = {spelling_key(s) for s in remove}
    for mark in edited:
        mark["spellings"] = [
            s for s in mark["spellings"] if spelling_key(s) not in gone
        ]
    return [mark for mark in edited if mark["spellings"]]


def new_spellings(before, after) -> list[str]:
    """The spellings of `after` that `before` did not mark."""
    known = {spelling_key(s) for mark in before for s in mark["spellings"]}
    return [
        s for mark in after for s in mark["spellings"] if spelling_key(s) not in known
    ]


# Decisions on flagged words (Testimony.redaction_decisions, sealed like the
# marks: a decision names the words it is about). Redaction flags words that
# may be a name without being certainly one (testimonies.redaction.redactor.Reason);
# a person decides each occurrence, which is kept as
#
#     [{"at": "<occurrence key>", "redact": true}, ...]
#
# "at": the occurrence's key (testimonies.redaction.redactor.occurrence_key: the word
# folded, with the words around it), so that a decision holds across
# renderings and is asked again when the words around it change;
# "redact": true replaces the occurrence with the placeholder of the person
# it may name; false keeps it as written.
MAX_DECISIONS = 5000
MAX_KEY_LENGTH = 1000


def decisions_check(decisions) -> None:
    """ValueError unless `decisions` has the shape above (one a key)."""
    if not isinstance(decisions, list) or len(decisions) > MAX_DECISIONS:
        raise ValueError("a list of decisions")
    keys = set()
    for decision in decisions:
        if not isinstance(decision, dict) or set(decision) != {"at", "redact"}:
            raise ValueError("a decision is {at, redact}")
        key, redact = decision["at"], decision["redact"]
        if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
            raise ValueError("at: an occurrence key")
        if not isinstance(redact, bool):
            raise ValueError("redact: true or false")
        if key in keys:
            raise ValueError("one decision an occurrence")
        keys.add(key)


def decisions_map(decisions) -> dict[str, bool]:
    """{occurrence key: redact} of stored decisions."""
    return {decision["at"]: decision["redact"] for decision in decisions or []}


def decisions_edited(decisions, changes: dict[str, bool | None]) -> list[dict]:
    """`decisions` with `changes` applied: key -> redact, or None to forget
    the decision (the word is asked about again)."""
    edited = decisions_map(decisions)
    for key, redact in changes.items():
        if redact is None:
            edited.pop(key, None)
        else:
            edited[key] = redact
    return [{"at": key, "redact": redact} for key, redact in edited.items()]
