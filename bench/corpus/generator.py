"""Synthetic testimonies for benchmarks and scale tests (`generate_corpus`).

Each testimony is drawn from its own random generator seeded with the
corpus seed and its number, so the same seed gives the same corpus, a
partial run can be resumed (what exists is skipped) and any testimony can
be regenerated alone. Stories are told in English or Arabic (with the same
story as a translation in a quarter of them) from the word lists in
bench.corpus.words, with Zipf-like word frequencies, places from the
gazetteer, incident dates over 2011-2025 known to the day, month or year,
and the spread of consent an archive holds: public, researchers only, kept
in the archive only, embargoed, partly or wholly withdrawn.

Rows are written by the import service (testimonies_import, the one that
`import_testimonies` uses), as a file of the import format would be:
identities sealed by the vault, consent records appended and sealed in the
audit chain, withdrawals recorded as withdrawals, an import entry in the
audit chain for each batch. The search index is not touched while
generating (rebuild it after): index writes after every batch would cost
more than everything else.

Witnesses' and other people's names are invented from syllables
(words.NAME_SYLLABLES): no generated name is anyone's.
"""

import bisect
import collections
import datetime
import itertools
import multiprocessing
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache

from django.apps import apps

from bench.corpus import words
from testimonies.imports.reader import ImportRow, PlaceRef, Withdrawal
from testimonies.imports.services import testimonies_import
from testimonies.models import (
    Community,
    ConsentScope,
    EventType,
    ImagesShown,
    Place,
    Testimony,
)

FIRST_YEAR, LAST_YEAR = 2011, 2025
# The March 2025 killings on the coast: the days most accounts are about.
COAST_DAYS = (datetime.date(2025, 3, 6), datetime.date(2025, 3, 10))
COAST_GOVERNORATES = ("latakia-governorate", "tartus-governorate")
LANGUAGES = ("ar", "ar", "ar", "en", "en")  # three accounts in five in Arabic
PLACE_KINDS = ("town", "neighbourhood", "district")
HARAKAT = "\u064e\u064f\u0650"  # fatha, damma, kasra
SHADDA, SUKUN = "\u0651", "\u0652"
ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")


@cache
def _cumulative(size: int, exponent: float = 1.07) -> list[float]:
    total, cumulative = 0.0, []
    for rank in range(1, size + 1):
        total += 1 / rank**exponent
        cumulative.append(total)
    return cumulative


def zipf_choice(rng: random.Random, items):
    """One of `items`, the first the most likely, with Zipf's law."""
    cumulative = _cumulative(len(items))
    return items[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


def invented_name(rng: random.Random) -> tuple[str, str]:
    """A given and a family name made of invented syllables: (Latin, Arabic)."""
    given = [rng.choice(words.NAME_SYLLABLES), rng.choice(words.NAME_ENDINGS)]
    family = [
        rng.choice(words.NAME_SYLLABLES),
        rng.choice(words.NAME_SYLLABLES),
        rng.choice(words.NAME_ENDINGS),
    ]
    latin = "".join(p[0] for p in given) + " " + "".join(p[0] for p in family)
    arabic = "".join(p[1] for p in given) + " " + "".join(p[1] for p in family)
    return latin.title(), arabic


def _vocalised(rng: random.Random, text: str, share: float) -> str:
    """Arabic with short vowels written on a `share` of its words, as some
    writers do (and search must see through)."""
    out = []
    for word in text.split(" "):
        if ARABIC_LETTER.search(word) and rng.random() < share:
            letters = []
            for letter in word:
                letters.append(letter)
                if ARABIC_LETTER.match(letter) and rng.random() < 0.6:
                    mark = rng.choice(HARAKAT)
                    if rng.random() < 0.08:
                        mark = SHADDA + mark
                    elif rng.random() < 0.05:
                        mark = SUKUN
                    letters.append(mark)
            word = "".join(letters)
        out.append(word)
    return " ".join(out)


@dataclass
class Vocabulary:
    """What the generator draws from the database: places, communities and
    event types, in a fixed order so that a seed gives the same corpus."""

    places: list
    communities: list
    event_types: list

    @classmethod
    def load(cls) -> "Vocabulary":
        places = list(Place.objects.filter(kind__in=PLACE_KINDS).order_by("path"))
        if not places:
            raise ValueError("The gazetteer is empty: run load_gazetteer first.")
        # Coastal places first: Zipf's head is where most accounts are from.
        rng = random.Random("places")
        coast = [p for p in places if any(g in p.path for g in COAST_GOVERNORATES)]
        rest = [p for p in places if p not in coast]
        rng.shuffle(coast)
        rng.shuffle(rest)
        return cls(
            places=coast + rest,
            communities=list(Community.objects.order_by("slug")),
            event_types=list(EventType.objects.order_by("slug")),
        )


SLOT_WORDS = {
    "time": words.TIMES, "actor": words.ACTORS, "relation": words.RELATIONS,
    "act": words.ACTS, "object": words.OBJECTS, "taken": words.TAKEN,
    "hiding": words.HIDING, "feeling": words.FEELINGS, "number": words.NUMBERS,
}  # fmt: skip


@cache
def _slots(english: str, arabic: str) -> tuple[str, ...]:
    """A sentence pattern's slots, in the order they are drawn."""
    return tuple(dict.fromkeys(re.findall(r"{(\w+)}", english + arabic)))


@dataclass
class Story:
    """One account, told in both languages from the same draws."""

    rng: random.Random
    places: list
    self_name: tuple[str, str]
    persons: list[tuple[str, str]]
    used_persons: list[tuple[str, str]] = field(default_factory=list)

    def _slot(self, name: str):
        if name == "place":
            place = zipf_choice(self.rng, self.places)
            return place.name, place.name_ar or place.name
        if name == "self":
            return self.self_name
        if name == "person":
            person = self.rng.choice(self.persons)
            if person not in self.used_persons:
                self.used_persons.append(person)
            return person
        return zipf_choice(self.rng, SLOT_WORDS[name])

    def sentence(self, pair) -> tuple[str, str]:
        english, arabic = pair
        values = {name: self._slot(name) for name in _slots(english, arabic)}
        en = english.format(**{k: v[0] for k, v in values.items()})
        ar = arabic.format(**{k: v[1] for k, v in values.items()})
        if self.rng.random() < 0.15:
            ar = ar.replace("في ", "ب", 1)  # the clitic instead of the word
        return en[0].upper() + en[1:], ar

    def tell(self, length: int, language: str) -> tuple[str, str]:
        """A story of about `length` words in `language`, in English and in
        Arabic."""
        side = 0 if language == "en" else 1
        sentences = [self.sentence(zipf_choice(self.rng, words.OPENINGS))]
        count = len(sentences[0][side].split())
        while count < length:
            sentences.append(self.sentence(zipf_choice(self.rng, words.SENTENCES)))
            count += len(sentences[-1][side].split())
        sentences.append(self.sentence(zipf_choice(self.rng, words.CLOSINGS)))
        return (
            " ".join(s[0] for s in sentences),
            " ".join(s[1] for s in sentences),
        )


def _incident(rng: random.Random) -> tuple[datetime.date, datetime.date, str]:
    precision = rng.choices(["day", "month", "year"], weights=[60, 25, 15])[0]
    if rng.random() < 0.4:
        first, last = COAST_DAYS
        start = first + datetime.timedelta(days=rng.randrange((last - first).days))
        end = start + datetime.timedelta(days=rng.choice([0, 0, 1, 2]))
    else:
        first = datetime.date(FIRST_YEAR, 1, 1)
        span = (datetime.date(LAST_YEAR, 12, 31) - first).days
        start = first + datetime.timedelta(days=rng.randrange(span))
        end = start + datetime.timedelta(days=rng.choice([0, 0, 0, 1, 3, 7]))
        end = min(end, datetime.date(LAST_YEAR, 12, 31))
    if precision == "month":
        start = start.replace(day=1)
        following = (end.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        end = following - datetime.timedelta(days=1)
    elif precision == "year":
        start, end = start.replace(month=1, day=1), end.replace(month=12, day=31)
    return start, end, precision


# (share, scopes granted, embargo, withdrawal: None, "all" or a scope list)
CONSENT_KINDS = [
    (50, ("researchers", "public", "accountability"), False, None),
    (22, ("researchers",), False, None),
    (7, (), False, None),
    (7, ("researchers", "public"), True, None),
    (9, ("researchers", "public", "media"), False, "all"),
    (5, ("researchers", "public"), False, ["public"]),
]


def _consent(rng: random.Random, recorded_on: datetime.date):
    _share, scopes, embargoed, withdrawal = rng.choices(
        CONSENT_KINDS, weights=[k[0] for k in CONSENT_KINDS]
    )[0]
    consent = {scope: scope in scopes for scope in ConsentScope.values}
    consent.update(
        archive=True,
        method=rng.choice(["oral", "oral", "written"]),
        obtained_by=rng.choice(words.CONSENT_TAKERS),
        obtained_on=recorded_on,
        embargo_until=(
            datetime.date(rng.randrange(2027, 2031), rng.randrange(1, 13), 1)
            if embargoed
            else None
        ),
        images=ImagesShown.NOT_ASKED,  # the corpus has no photos
    )
    withdrawn = None
    if withdrawal:
        withdrawn = Withdrawal(
            on=recorded_on + datetime.timedelta(days=rng.randrange(1, 200)),
            reason=rng.choice(words.WITHDRAWAL_REASONS),
            scopes=None if withdrawal == "all" else list(withdrawal),
        )
    return consent, withdrawn


def external_id(seed: int, number: int) -> str:
    return f"synthetic-{seed}-{number:07d}"


def corpus_row(number: int, *, seed: int, vocabulary: Vocabulary) -> ImportRow:
    """Testimony `number` of the corpus `seed`, as a checked import row."""
    rng = random.Random(f"{seed}:{number}")
    # One witness in eight gave several testimonies (a witness key groups
    # them); their identity is drawn from the key, the same every time.
    repeat = rng.random() < 0.125
    witness_number = rng.randrange(max(1, number // 8 + 1)) if repeat else None
    witness_rng = random.Random(f"{seed}:witness:{witness_number}") if repeat else rng
    self_name = invented_name(witness_rng)
    witness_language = witness_rng.choice(LANGUAGES)
    witness = {
        "name": self_name[0] if witness_language == "en" else self_name[1],
        "name_variants": [self_name[1] if witness_language == "en" else self_name[0]],
        "contact": f"+000 555 {witness_rng.randrange(10**6):06d}",
        "gender": witness_rng.choice(["male", "female", "female", "unknown"]),
        "birth_year": witness_rng.randrange(1940, 2006),
        "witness_key": f"synthetic:{seed}:{witness_number}" if repeat else "",
    }
    language = witness_language if repeat else rng.choice(LANGUAGES)
    start, end, precision = _incident(rng)
    recorded_on = min(
        max(end, COAST_DAYS[1]) if start >= COAST_DAYS[0] else end,
        datetime.date(LAST_YEAR, 12, 31),
    ) + datetime.timedelta(days=rng.randrange(1, 400))
    story = Story(
        rng=rng,
        places=vocabulary.places,
        self_name=self_name,
        persons=[invented_name(rng) for _ in range(rng.randrange(1, 4))],
    )
    english, arabic = story.tell(rng.randrange(150, 400), language)
    arabic = _vocalised(rng, arabic, share=rng.choice([0, 0, 0.05, 0.3]))
    narrative, other = (english, arabic) if language == "en" else (arabic, english)
    translated = rng.random() < 0.25
    summary = story.sentence(zipf_choice(rng, words.SUMMARIES))
    places = {zipf_choice(rng, vocabulary.places) for _ in range(rng.choice([1, 1, 2]))}
    consent, withdrawal = _consent(rng, recorded_on)
    return ImportRow(
        line=number + 1,
        external_id=external_id(seed, number),
        witness=witness,
        witness_community=zipf_choice(rng, vocabulary.communities),
        language=language,
        narrative=narrative,
        translations={"ar" if language == "en" else "en": other} if translated else {},
        summary=summary[0] if language == "en" else summary[1],
        recorded_on=recorded_on,
        recorded_by=None,
        incident_start=start,
        incident_end=end,
        incident_precision=precision,
        places=[PlaceRef(place=p) for p in sorted(places, key=lambda p: p.path)],
        communities=sorted(
            {zipf_choice(rng, vocabulary.communities) for _ in range(2)},
            key=lambda c: c.slug,
        ),
        event_types=sorted(
            {zipf_choice(rng, vocabulary.event_types) for _ in range(3)},
            key=lambda e: e.slug,
        ),
        persons_named=[list(person) for person in story.used_persons],
        status=rng.choices(["approved", "submitted", "draft"], weights=[85, 10, 5])[0],
        consent=consent,
        withdrawal=withdrawal,
    )


@dataclass
class CorpusResult:
    created: int
    skipped: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.created / self.seconds if self.seconds else 0.0


def _batches(numbers, size) -> Iterator[list[int]]:
    iterator = iter(numbers)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


_worker_corpus: tuple | None = None


def _worker_start(seed: int, vocabulary: Vocabulary) -> None:
    global _worker_corpus
    _worker_corpus = (seed, vocabulary)


def _worker_rows(numbers: list[int]) -> list[ImportRow]:
    seed, vocabulary = _worker_corpus
    return [corpus_row(n, seed=seed, vocabulary=vocabulary) for n in numbers]


def _rows(
    batches: Iterator[list[int]], *, seed: int, vocabulary: Vocabulary, processes: int
) -> Iterator[list[ImportRow]]:
    """Each batch's rows, in order. With `processes` > 1, the rows are drawn
    by that many worker processes less one while this one writes (SQLite has
    one writer; drawing the stories is the other half of the work). The
    workers are forked before the key store is opened and never touch the
    database."""
    if processes <= 1:
        for batch in batches:
            yield [corpus_row(n, seed=seed, vocabulary=vocabulary) for n in batch]
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(
        processes - 1, initializer=_worker_start, initargs=(seed, vocabulary)
    ) as pool:
        # A few batches drawn ahead, not the whole corpus: 100,000 stories
        # waiting in memory would not fit a small machine.
        pending = collections.deque()
        for batch in batches:
            pending.append(pool.apply_async(_worker_rows, (batch,)))
            if len(pending) > processes:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def corpus_generate(
    *,
    count: int,
    seed: int = 1,
    batch_size: int = 200,
    processes: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> CorpusResult:
    """Write testimonies 0..count-1 of corpus `seed` that do not exist yet,
    through the import service, `batch_size` to a transaction (one import),
    the rows drawn by `processes` processes (this one included: see _rows).
    The search index's signal processor is off meanwhile: rebuild the index
    after."""
    started = time.monotonic()
    vocabulary = Vocabulary.load()
    existing = set(
        Testimony.objects.filter(
            external_id__startswith=f"synthetic-{seed}-"
        ).values_list("external_id", flat=True)
    )
    todo = [n for n in range(count) if external_id(seed, n) not in existing]
    processor = apps.get_app_config("haystack").signal_processor
    processor.teardown()
    created = 0
    try:
        batches = _rows(
            _batches(todo, batch_size),
            seed=seed,
            vocabulary=vocabulary,
            processes=processes,
        )
        for rows in batches:
            # One transaction a batch, its data keys written with it.
            result = testimonies_import(
                rows=rows, source=f"generate_corpus seed {seed}"
            )
            created += result.created
            if progress:
                progress(count - len(todo) + created, count)
    finally:
        processor.setup()
    return CorpusResult(
        created=created,
        skipped=count - len(todo),
        seconds=time.monotonic() - started,
    )
