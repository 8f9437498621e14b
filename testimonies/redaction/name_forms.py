"""What a name is made of, for redaction (testimonies.redaction.redactor).

- `name_parts`: the parts of a name that are redacted on their own. Arabic
  compound names stay whole: عبد الله, أبو علي, أم وليد, بن سالم, نور الدين,
  عطا الله (and Abd al-Rahman, Abu Ali, Nour al-Din): "الله" or "الدين" alone
  is never a name part, so it is never replaced everywhere. Particles and
  articles alone, and parts of fewer than three letters, are not parts.
- `is_common_word`: a name part that is also a common word (علي and على,
  نور "light", أمل "hope", Said and "said"): replaced blindly, it would both
  spoil the text and tell every reader the name, since the placeholder sits
  where the word belongs. Such parts are flagged for a person to decide,
  word by word (testimonies/redaction/data/common_name_words.json lists them).
- `transliteration_key` and `arabic_skeleton`: spellings of one name in
  Latin letters (Aiman, Ayman, Aymen; Sameer, Samir; Kurmanji Ş and Sh) or in
  Kurdish and Arabic spelling (ڕەشید, رشيد) share a key.
- `one_edit_apart`: spellings one letter apart (a typo, a variant).
Spellings found only through the last two are flagged, never replaced: they
are likely the name, not certainly.
"""

import json
import re
from functools import lru_cache
from pathlib import Path

from testimonies.textnorm import LATIN_LETTERS, fold

MIN_PART_LENGTH = 3

# Words that begin a compound name and need the word after them.
_HEADS = frozenset(
    "عبد ابو ابي ابا ام ابن بن بنت abd abdul abdel abdal abu abou abo um umm om "
    "ibn bin ben bint".split()
)
# Articles between a head and the rest (Abd al-Rahman, Abu el-Khair).
_ARTICLES = frozenset("ال al el ul ad ed ud ar as ash at az adh an".split())
# Words that end a compound name and need the word before them.
_TAILS = frozenset(
    "الله الدين اللة allah ullah illah ollah din deen dine eddin eddine uddin "
    "addin".split()
)
# Never a name part alone.
PARTICLES = _HEADS | _ARTICLES | _TAILS | {"ال"}
# A name written as one word that begins with a head (عبدالله) is also
# looked for written apart (عبد الله), and the reverse.
_JOINED_HEADS = ("عبد", "ابو", "ام")
_JOINED_TAILS = ("الله", "الدين")

_SEPARATORS = re.compile(r"[\s\-_]+")


def name_words(name: str, *, keep_alef_maqsura: bool = False) -> list[str]:
    """The folded words of a name (hyphens and underscores separate them)."""
    folded = fold(name, keep_alef_maqsura=keep_alef_maqsura)
    return [word for word in _SEPARATORS.split(folded) if word]


def _is_part(words: list[str]) -> bool:
    """A compound is a part; a single word unless it is a particle."""
    letters = sum(len(word) for word in words if word not in _ARTICLES)
    single_particle = len(words) == 1 and words[0] in PARTICLES
    return letters >= MIN_PART_LENGTH and not single_particle


def name_parts(name: str, *, keep_alef_maqsura: bool = False) -> list[str]:
    """The parts of `name` redacted on their own, folded; a compound part's
    words are joined by one space."""
    words = name_words(name, keep_alef_maqsura=keep_alef_maqsura)
    parts, index = [], 0
    while index < len(words):
        word, end = words[index], index + 1
        if word in _HEADS and end < len(words):
            if words[end] in _ARTICLES and end + 1 < len(words):
                end += 1
            end += 1
        elif end < len(words) and words[end] in _TAILS:
            end += 1
        elif (
            end + 1 < len(words)
            and words[end] in _ARTICLES
            and words[end + 1] in _TAILS
        ):
            end += 2
        part = words[index:end]
        if _is_part(part):
            parts.append(" ".join(part))
        index = end
    return parts


def joined_variants(form: str) -> list[str]:
    """Other ways of writing one part: a compound written as one word
    (عبدالله) or apart (عبد الله)."""
    if " " in form:
        return [form.replace(" ", "")] if form.split(" ")[0] in _HEADS else []
    for head in _JOINED_HEADS:
        if form.startswith(head) and len(form) > len(head) + 2:
            return [f"{head} {form[len(head) :]}"]
    for tail in _JOINED_TAILS:
        if form.endswith(tail) and len(form) > len(tail) + 2:
            return [f"{form[: -len(tail)]} {tail}"]
    return []


@lru_cache(maxsize=1)
def common_name_words() -> frozenset[str]:
    """Name parts that are also common words, folded, in every script."""
    path = Path(__file__).resolve().parent / "data" / "common_name_words.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return frozenset(
        fold(word)
        for key, listed in data.items()
        if not key.startswith("_")
        for word in listed
    )


def is_common_word(part: str) -> bool:
    """Is this folded one-word part also a common word (with or without the
    article)?"""
    common = common_name_words()
    if part in common:
        return True
    for article in ("ال", "al-", "el-"):
        if part.startswith(article) and part[len(article) :] in common:
            return True
    return False


# Latin transliterations of Arabic and Kurdish names, by rule, applied in
# order: digraphs, then vowel classes (e and a; i, ee, y; o, u, ou, w).
_TRANSLITERATION_RULES = [
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"sh|ch", "s"),
        (r"kh|x", "h"),
        (r"gh", "g"),
        (r"th", "t"),
        (r"dh", "d"),
        (r"ph", "f"),
        (r"dj", "j"),
        (r"ck|q|c", "k"),
        (r"ai|ay|ei|ey", "I"),  # a diphthong, kept apart from i
        (r"ee|ie|y|i", "i"),
        (r"ou|oo|o|u|w", "u"),
        (r"e|a", "a"),
        (r"I", "ai"),
        (r"([a-z])\1+", r"\1"),
        (r"(?<=[aiu])h$", ""),  # Fatimah, Fatima
    )
]


@lru_cache(maxsize=20_000)
def transliteration_key(word: str) -> str:
    """The key Latin spellings of one name share (folded word in)."""
    key = word
    for pattern, replacement in _TRANSLITERATION_RULES:
        key = pattern.sub(replacement, key)
    return key


# Arabic-script spellings of one name in Arabic and in Kurdish or Persian
# spelling: emphatic letters as Kurdish writes them, long vowels and the
# Kurdish vowel letters left out (but a first letter), doubles as one.
_EMPHATICS = {"ط": "ت", "ص": "س", "ض": "ز", "ظ": "ز", "ث": "س", "ذ": "ز"}
_VOWEL_LETTERS = frozenset("ايو")
_VOWEL_SIGNS = frozenset("\u0629\u06d5")  # ة and the Kurdish e, ە
KURDISH_LETTERS = re.compile("[\u06d5\u06c6\u06ce\u06cc\u0695\u06b5\u06a9\u06af\u06be]")


@lru_cache(maxsize=20_000)
def arabic_skeleton(word: str) -> str:
    """The consonants of an Arabic-script word as written (not folded: the
    Kurdish vowel ە must not read as the consonant ه), first letter kept."""
    letters = [char for char in word if "\u0600" <= char <= "\u06ff" and fold(char)]
    if not letters:
        return ""
    skeleton = [fold(letters[0])]
    for char in letters[1:]:
        folded = fold(char)
        if char in _VOWEL_SIGNS or folded in _VOWEL_LETTERS:
            continue
        folded = _EMPHATICS.get(folded, folded)
        if folded != skeleton[-1]:
            skeleton.append(folded)
    if len(skeleton) > 1 and skeleton[-1] == "ه" and letters[-1] == "ه":
        skeleton.pop()  # taa marbuta written as haa: a vowel here
    return "".join(skeleton)


def one_edit_apart(first: str, second: str) -> bool:
    """True when one insertion, deletion, substitution or swap of two
    neighbouring letters turns one word into the other (not when equal)."""
    if first == second or abs(len(first) - len(second)) > 1:
        return False
    # One edit leaves the first or the last letter where it was.
    if first[:1] != second[:1] and first[-1:] != second[-1:]:
        return False
    if len(first) > len(second):
        first, second = second, first
    for index, (a, b) in enumerate(zip(first, second, strict=False)):
        if a == b:
            continue
        if len(first) == len(second):
            return first[index + 1 :] == second[index + 1 :] or (
                first[index + 1 : index + 2] == b
                and second[index + 1 : index + 2] == a
                and first[index + 2 :] == second[index + 2 :]
            )
        return first[index:] == second[index + 1 :]
    return True  # the longer has one letter more at the end


def is_latin(word: str) -> bool:
    return bool(LATIN_LETTERS.search(word))
