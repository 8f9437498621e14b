"""Redaction and the search analysis held together, by property.

The danger these guard against: a spelling the index reads as a name while
redaction does not see it. Such a name becomes a searchable term, and a
misspelt name typed into the search box is "corrected" to it.

- The analyzer's words and terms are testimonies.textnorm's (words,
  index_term): what the index keeps is what redaction reads.
- Any character the analyzer folds (drops, or reads as another letter),
  redaction sees through: checked for every assigned code point.
- Any spelling of a name part that the analyzer maps to the name part's term
  is replaced or flagged for a person (hypothesis draws the spellings from
  every character that folds to each letter, invisible characters between
  letters, clitics, endings and case).
"""

import unicodedata
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.analysis import text_analyzer
from testimonies.redaction.redactor import Redactor
from testimonies.textnorm import fold, index_term, words

ANALYZER = text_analyzer()


@lru_cache(maxsize=1)
def _assigned() -> tuple[str, ...]:
    """Every assigned character (listed once: each frame and the spellings'
    preimages walk them all)."""
    return tuple(
        chr(code)
        for code in range(0x110000)
        if unicodedata.category(chr(code)) not in ("Cn", "Cs", "Co")
    )


@lru_cache(maxsize=1)
def _preimages() -> dict[str, list[str]]:
    """Every assigned character by what it folds to ("" for dropped)."""
    found: dict[str, list[str]] = {}
    for char in _assigned():
        found.setdefault(fold(char), []).append(char)
    return found


def _fold_stage(text: str) -> list[tuple[str, int, int]]:
    """The analyzer's tokens before stemming: (text, start, end)."""
    tokens = ANALYZER.items[0](text, chars=True, mode="index")
    for item in ANALYZER.items[1:]:
        if not getattr(item, "is_morph", False):
            tokens = item(tokens)
    return [(t.text, t.startchar, t.endchar) for t in tokens if not t.stopped]


def _terms(text: str) -> list[tuple[str, int, int]]:
    return [
        (t.text, t.startchar, t.endchar)
        for t in ANALYZER(text, chars=True, mode="index")
    ]


def _caught(redactor: Redactor, text: str, start: int, end: int) -> bool:
    """Is text[start:end] replaced or flagged?"""
    scan = redactor.scan(text)
    spans = [(r.start, r.end) for r in scan.replacements] + [
        (c.start, c.end) for c in scan.candidates
    ]
    return any(s < end and start < e for s, e in spans)


@lru_cache(maxsize=10_000)
def _redactor(name: str) -> Redactor:
    return Redactor(witness_names=[name], witness_placeholder="W", persons_named=[])


# --- the analyzer reads text as textnorm does -------------------------------


@settings(max_examples=400, deadline=None)
@given(st.text(min_size=0, max_size=60))
def test_the_analyzer_terms_are_textnorm_terms(text):
    expected = [index_term(word.text) for word in words(text) if index_term(word.text)]
    assert [term for term, _start, _end in _terms(text)] == expected


# --- every fold of the analyzer, redaction sees through ----------------------

# Frames around the character: a Latin and an Arabic word no stemmer or
# stop list touches.
FRAMES = [("zqk", "vxq"), ("جحخ", "طظع")]


@pytest.mark.parametrize("frame", FRAMES)
@pytest.mark.slow
def test_redaction_sees_through_every_character_the_analyzer_folds(frame):
    """For every assigned character c: where the analyzer reads
    before+c+after as the one word before+X+after (c dropped, or read as
    X), redaction with the name before+X+after replaces or flags it. Fails
    as soon as the analyzer folds something redaction does not."""
    before, after = frame
    missed = []
    for char in _assigned():
        text = f"{before}{char}{after}"
        tokens = _fold_stage(text)
        if len(tokens) != 1:
            continue  # the character separates words, or is a word itself
        ((token, start, end),) = tokens
        folded_before, folded_after = fold(before), fold(after)
        if not (token.startswith(folded_before) and token.endswith(folded_after)):
            continue
        middle = token[len(folded_before) : len(token) - len(folded_after)]
        if middle == char:
            continue  # not folded
        name = f"{before}{middle}{after}"
        if not _caught(_redactor(name), text, start, end):
            missed.append(f"U+{ord(char):04X} {unicodedata.name(char, '?')}")
    assert missed == [], missed[:30]


def test_the_exhaustive_check_would_see_a_fold_redaction_lacks():
    """The check above, against a redactor blind to one fold the analyzer
    makes (the dotless ı it reads as i): it reports it."""
    text = "zqk\u0131vxq"
    ((token, start, end),) = _fold_stage(text)
    assert token == "zqkivxq"

    class Blind(Redactor):
        def scan(self, text, language="en"):
            return super().scan(text.replace("\u0131", "\u2603"), language)

    blind = Blind(witness_names=["zqkivxq"], witness_placeholder="W", persons_named=[])
    assert not _caught(blind, text, start, end)
    assert _caught(_redactor("zqkivxq"), text, start, end)


# --- any spelling the index reads as a name part is replaced or flagged ------

LATIN_NAMES = ["Ayman", "Samir", "Zubeydqa", "Quorvith", "Haddad", "Delmarrak"]
ARABIC_NAMES = ["أيمن", "سمير", "زبيدقة", "قورفيث", "حداد", "دلمراك", "مصطفى"]
LATIN_ENDINGS = ["", "", "'s", "’s", "s", "es", "ing", "ed", "ly", "7", "1968", "_"]
ARABIC_ENDINGS = ["", "", "اً", "ًا", "ا", "ً", "ه", "ة", "ي", "ها", "هم", "ات",
                  "ان", "ين", "ون", "ية", "يه", "نا", "ك", "7", "_"]  # fmt: skip
ARABIC_PREFIXES = ["", "", "و", "ف", "ب", "ك", "ل", "وب", "ال", "وال", "بال",
                   "لل", "فال", "ولل", "#", "_"]  # fmt: skip
CONTEXT = ["the", "men", "came", "at", "night", "قال", "في", "البيت", "جاء",
           "على", "عند", "باب", ",", ".", "\n", "-", "(", ")"]  # fmt: skip


@st.composite
def spelled(draw, name: str):
    """`name` written as real text may write it."""
    preimages = _preimages()
    invisible = preimages[""]
    letters = []
    for letter in fold(name):
        letters.append(draw(st.sampled_from(preimages.get(letter, [letter]))))
        if draw(st.integers(0, 5)) == 0:
            letters.append(draw(st.sampled_from(invisible)))
    return "".join(letters)


@st.composite
def texts_naming(draw):
    arabic = draw(st.booleans())
    name = draw(st.sampled_from(ARABIC_NAMES if arabic else LATIN_NAMES))
    spelling = draw(spelled(name))
    prefix = draw(st.sampled_from(ARABIC_PREFIXES if arabic else ["", "#", "_"]))
    ending = draw(st.sampled_from(ARABIC_ENDINGS if arabic else LATIN_ENDINGS))
    left = draw(st.lists(st.sampled_from(CONTEXT), max_size=4))
    right = draw(st.lists(st.sampled_from(CONTEXT), max_size=4))
    word = prefix + spelling + ending
    return name, " ".join([*left, word, *right])


@settings(
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(texts_naming())
def test_every_spelling_the_index_reads_as_a_name_part_is_replaced_or_flagged(
    named,
):
    name, text = named
    name_terms = {index_term(fold(name))} - {None}
    redactor = _redactor(name)
    for term, start, end in _terms(text):
        if term in name_terms:
            assert _caught(redactor, text, start, end), (text, text[start:end])
