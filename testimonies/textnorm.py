"""The matching form of text: one folding for everything that compares words.

Redaction (testimonies.redaction.redactor), the search index's analysis
(search.analysis), the gazetteer's place lookup and the leak scan all fold
text with `fold`, and read words with `words`. Whatever the index would
treat as one word, redaction sees as one word too: a name that slipped past
redaction must never become a searchable term, and a misspelt name typed into
the search box must never be "corrected" to a witness's real name.

What `fold` does, character by character:

- apostrophes and the ayn and hamza signs of transliterations go (Sa'id,
  Sa’id, Saʿid all read "said");
- compatibility forms become the plain letters they show (NFKD): Arabic
  presentation forms copied from PDFs (ﺃﻳﻤﻦ, the ligatures ﻻ and ﷲ),
  fullwidth Ｓａｍｉｒ, mathematical 𝐀𝐲𝐦𝐚𝐧, circled and superscript
  letters and digits;
- combining marks go (harakat, tanween, shadda, hamza above and below,
  superscript alef, Latin accents), and so do format characters, which are
  invisible (ZWJ, ZWNJ, RLM, LRM, ALM, ZWSP, soft hyphen, word joiner, BOM,
  bidi embeddings);
- Arabic letter variants meet: alef forms, ة as ه, ى as ي, tatweel gone;
  the Persian, Kurdish (Sorani and Kurmanji in Arabic script) and Urdu
  letters as the Arabic ones they stand for (ی ې ێ ے as ي, ک گ as ك, ە ھ ہ
  as ه, ۆ ۇ ۈ as و, ڕ as ر, ڵ as ل, پ as ب, چ as ج, ژ as ز, ڤ as ف);
- Cyrillic and Greek letters that look like Latin ones are those Latin
  letters (a Cyrillic а inside a Latin name), dotless ı is i;
- digits of every script are ASCII digits (١٩٦٨ and ۱۹۶۸ are 1968);
- dashes are one hyphen; case is folded.

ى and ي mean different words in short words (على "on", علي "Ali"):
`fold(text, keep_alef_maqsura=True)` keeps ى apart so that a match that
only holds once they are equal can be told from one that holds anyway.

`words` cuts text into words as the index does (letters and digits; "_",
hyphens and everything else separate them) and says where each came from in
the original. `index_term` is the term the search index keeps for a word
(None for a function word): redaction uses it to find every word the index
would confuse with a name.
"""

import re
import threading
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from whoosh.lang.stopwords import stoplists

# Transliteration signs that are not part of the letters around them.
_APOSTROPHES = "'`\u00b4\u2018\u2019\u201b\u2032\u02b9\u02bb\u02bc\u02bd\u02be\u02bf"

# Letter variants that writers use interchangeably, after NFKD: alef wasla,
# taa marbuta, alef maqsura, tatweel, and the Persian, Kurdish and Urdu
# letters that stand for Arabic ones.
_ARABIC_LETTER_FOLDS = {
    "\u0671": "\u0627",  # ٱ alef wasla
    "\u0629": "\u0647",  # ة taa marbuta
    "\u0649": "\u064a",  # ى alef maqsura
    "\u0640": "",  # ـ tatweel
    "\u06cc": "\u064a",  # ی Farsi yeh
    "\u06d0": "\u064a",  # ې
    "\u06ce": "\u064a",  # ێ Sorani yeh with v
    "\u06cd": "\u064a",  # ۍ
    "\u06d2": "\u064a",  # ے yeh barree
    "\u06a9": "\u0643",  # ک keheh
    "\u06aa": "\u0643",  # ڪ
    "\u06af": "\u0643",  # گ gaf
    "\u06b3": "\u0643",  # ڳ
    "\u06b1": "\u0643",  # ڱ
    "\u06d5": "\u0647",  # ە Kurdish ae
    "\u06be": "\u0647",  # ھ heh doachashmee
    "\u06c1": "\u0647",  # ہ heh goal
    "\u06c3": "\u0647",  # ۃ
    "\u06c6": "\u0648",  # ۆ Kurdish oe
    "\u06c7": "\u0648",  # ۇ
    "\u06c8": "\u0648",  # ۈ
    "\u06c9": "\u0648",  # ۉ
    "\u06cb": "\u0648",  # ۋ
    "\u06c5": "\u0648",  # ۅ
    "\u0695": "\u0631",  # ڕ Sorani reh
    "\u0691": "\u0631",  # ڑ
    "\u06b5": "\u0644",  # ڵ Sorani lam
    "\u067e": "\u0628",  # پ
    "\u0686": "\u062c",  # چ
    "\u0698": "\u0632",  # ژ
    "\u06a4": "\u0641",  # ڤ
    "\u06a8": "\u0642",  # ڨ
    "\u0679": "\u062a",  # ٹ
    "\u0688": "\u062f",  # ڈ
    "\u06ba": "\u0646",  # ں
}

# Letters of other scripts drawn like Latin ones (Unicode's confusables),
# as they are after casefolding: Cyrillic, Greek, dotless i.
_HOMOGLYPHS = {
    "\u0430": "a", "\u0432": "b", "\u0435": "e", "\u043a": "k", "\u043c": "m",
    "\u043d": "h", "\u043e": "o", "\u0440": "p", "\u0441": "c", "\u0442": "t",
    "\u0443": "y", "\u0445": "x", "\u0455": "s", "\u0456": "i", "\u0458": "j",
    "\u04bb": "h", "\u0501": "d", "\u051b": "q", "\u051d": "w", "\u04cf": "l",
    "\u04af": "y", "\u0491": "r", "\u0261": "g", "\u0131": "i",
    "\u03b1": "a", "\u03b2": "b", "\u03b5": "e", "\u03b6": "z", "\u03b7": "n",
    "\u03b9": "i", "\u03ba": "k", "\u03bc": "m", "\u03bd": "v", "\u03bf": "o",
    "\u03c1": "p", "\u03c4": "t", "\u03c5": "u", "\u03c7": "x", "\u03c9": "w",
}  # fmt: skip

_ALEF_MAQSURA = "\u0649"
_DROPPED_CATEGORIES = frozenset(["Mn", "Me", "Cf"])


# Called for every character of every text redacted or indexed: the fold of
# a character never changes, and a text uses a few hundred distinct ones.
@lru_cache(maxsize=16384)
def _fold_char(char: str, keep_alef_maqsura: bool = False) -> str:
    if char in _APOSTROPHES:
        return ""
    folded = []
    # NFKD splits أ إ آ ؤ ئ and accented letters into base + mark, and
    # compatibility forms into the letters they show.
    for part in unicodedata.normalize("NFKD", char):
        category = unicodedata.category(part)
        if category in _DROPPED_CATEGORIES or part in _APOSTROPHES:
            continue
        if category == "Nd":
            folded.append(str(unicodedata.digit(part)))
        elif category == "Pd" or part == "\u2212":
            folded.append("-")
        elif keep_alef_maqsura and part == _ALEF_MAQSURA:
            folded.append(part)
        else:
            for lower in _ARABIC_LETTER_FOLDS.get(part, part).casefold():
                folded.append(_HOMOGLYPHS.get(lower, lower))
    return "".join(folded)


class _FoldTable(dict):
    """str.translate's table of _fold_char, filled as characters are met, so
    that folding runs at the speed of str.translate. Remembers the
    characters that do not fold to exactly one (dropped, or several)."""

    def __init__(self, keep_alef_maqsura: bool):
        super().__init__()
        self.keep_alef_maqsura = keep_alef_maqsura
        self.irregular: set[str] = set()
        self.marks = _MarkTable(self)

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = self[code] = _fold_char(char, self.keep_alef_maqsura)
        if len(folded) != 1:
            self.irregular.add(char)
        return folded


class _MarkTable(dict):
    """str.translate's table of whether a character folds to exactly one
    ("\x01") or not ("\x00"), filled from the fold table."""

    def __init__(self, folds: _FoldTable):
        super().__init__()
        self.folds = folds

    def __missing__(self, code: int) -> str:
        mark = self[code] = "\x01" if len(self.folds[code]) == 1 else "\x00"
        return mark


_TABLES = {False: _FoldTable(False), True: _FoldTable(True)}


def fold(text: str, *, keep_alef_maqsura: bool = False) -> str:
    """The matching form of `text` (see the module docstring)."""
    return text.translate(_TABLES[keep_alef_maqsura])


def fold_with_offsets(
    text: str, *, keep_alef_maqsura: bool = False
) -> tuple[str, list[int]]:
    """The matching form, and for each of its characters the index of the
    original character it came from."""
    table = _TABLES[keep_alef_maqsura]
    folded = text.translate(table)
    if table.irregular.isdisjoint(text):
        # Every character folded to exactly one (nearly always).
        return folded, list(range(len(text)))
    # Runs of characters folding to one each, between the others (found by
    # translating each character to whether it folds to one).
    origins, cursor = [], 0
    for match in _IRREGULAR.finditer(text.translate(table.marks)):
        index = match.start()
        origins.extend(range(cursor, index))
        origins.extend([index] * len(table[ord(text[index])]))
        cursor = index + 1
    origins.extend(range(cursor, len(text)))
    return folded, origins


_IRREGULAR = re.compile("\x00")


def is_arabic(text: str) -> bool:
    return any("\u0600" <= char <= "\u06ff" for char in text)


# A word: letters and digits. "_" and hyphens separate words (#أيمن_فارس
# holds two), as does everything else.
WORD = re.compile(r"[^\W_]+")


class Word(NamedTuple):
    """A word of a text: its folded form, and where it stands in the
    original (`start`, `end`), trailing combining marks included."""

    text: str
    start: int
    end: int


def span_end(text: str, end: int) -> int:
    """`end` moved past the marks and invisible characters that trail the
    character before it, which belong to that character (عليٌّ)."""
    irregular = _TABLES[False].irregular
    while (
        end < len(text)
        and text[end] in irregular
        and text[end] not in _APOSTROPHES
        and not _fold_char(text[end])
    ):
        end += 1
    return end


def words(text: str, folded_with_offsets=None) -> list[Word]:
    """The words of `text` as the search index reads them.
    `folded_with_offsets`: fold_with_offsets(text), when the caller has it."""
    folded, origins = folded_with_offsets or fold_with_offsets(text)
    irregular = _TABLES[False].irregular
    found = []
    for match in WORD.finditer(folded):
        end = origins[match.end() - 1] + 1
        if end < len(text) and text[end] in irregular:
            end = span_end(text, end)
        found.append(Word(match.group(), origins[match.start()], end))
    return found


# Arabic function words in folded form (ة as ه, ى as ي, hamza seats
# dropped), with the common clitic forms a stemmer would not reduce to them.
# Place designators (حي "neighbourhood", and its transliterations Hai,
# Hayy) are left out too: "حي القصور" must find an account that says "in
# al-Qusour". حي meaning "alive" is lost as a bare word; its inflections
# (حيا, احياء) stay searchable.
ARABIC_STOP_WORDS = frozenset(
    """
    في فيه فيها فيهم من منه منها منهم الي اليه اليها اليهم علي عليه عليها
    عليهم عن عنه عنها عنهم مع معه معها معهم معنا بين بينهم عند عندما عندنا
    منذ حتي خلال نحو لدي لدينا لنا له لها لهم بها به بهم بنا
    هذا هذه هذي ذلك ذاك تلك هولاء اولئك هناك هنا هنالك
    الذي التي الذين اللذان اللتان اللذين اللتين اللواتي اللاتي اللائي
    ما ماذا لماذا متي اين كيف كم هل اي ايها يا
    لم لن لا ليس ليست ان انه انها انهم لان لانه كان كانت كانوا كنا كنت
    يكون تكون يكونوا وكان وكانت وكانوا فكان
    او ام ثم قد لقد فقد وقد كما كذلك ايضا لكن ولكن لكنه بل اذا اذ اذن
    كل كلهم بعض غير سوي جدا فقط
    هو هي هم هن هما انا نحن انت انتم انتن
    وفي ومن والي وعلي وعن ومع وهو وهي وهم ونحن وانا وهذا وهذه وذلك
    والذي والتي والذين ولم ولا وان وانه ولن ثم فلم فلا فان فانه
    حي
    """.split()
)
ENGLISH_STOP_WORDS = stoplists["en"] | frozenset(
    ["al", "el", "hai", "hayy"]  # transliterated article and designator
)
STOP_WORDS = ARABIC_STOP_WORDS | ENGLISH_STOP_WORDS
# Shorter words are no terms at all.
MIN_TERM_LENGTH = 2

# Forms of والد (father, parents) and its family, whose و is not the
# conjunction: والدة must not lose its و before the article is stripped.
_WALID_SUFFIXES = frozenset(
    "_ ه ي ك ها هم نا ان ين ا اي يه يها يهم يك يهما ت ته تي تك تها تهم تنا".split()
)


def _without_conjunction(word: str) -> str:
    """وال / فال + word -> ال + word: Snowball strips the article but not
    the conjunction before it (والمدرسة stays والمدرس)."""
    if len(word) >= 6 and word[0] in "وف" and word[1:3] == "ال":
        if word[0] == "و" and word.startswith("والد"):
            suffix = word[4:] or "_"
            if suffix in _WALID_SUFFIXES:
                return word
        return word[1:]
    return word


_stemmers = threading.local()


def _stemmer(language: str):
    """One Snowball stemmer per thread and language (PyStemmer objects
    are not safe to share between threads)."""
    import Stemmer

    cache = getattr(_stemmers, "cache", None)
    if cache is None:
        cache = _stemmers.cache = {}
    if language not in cache:
        cache[language] = Stemmer.Stemmer(language)
    return cache[language]


# Words Snowball would merge with a common word: جبلة (Jableh, the town)
# would become جبل (mountain), and every account of fleeing to the
# mountains would match the town. Kept whole, with or without a clitic.
_UNSTEMMED = frozenset(["جبله"])
_CLITICS = ("و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل")

ARABIC_LETTERS = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
LATIN_LETTERS = re.compile("[a-z\u00c0-\u024f]")


def _unstemmed(word: str) -> str | None:
    for clitic in ("", *_CLITICS):
        if word.startswith(clitic) and word[len(clitic) :] in _UNSTEMMED:
            return word[len(clitic) :]
    return None


def without_conjunction(word: str) -> str:
    """The folded word less a conjunction before its article (وال, فال +
    word -> ال + word), as the stemming here reads it: for an engine whose
    own Snowball stemmer follows (search.postgres)."""
    return _without_conjunction(word)


def kept_whole(word: str) -> str | None:
    """The word a folded word is kept as, unstemmed, with any clitic taken
    off (جبلة, the town, never جبل, the mountain); None for any other."""
    return _unstemmed(word)


def _arabic_stem(word: str) -> str:
    kept = _unstemmed(word)
    if kept:
        return kept
    stem = _stemmer("arabic").stemWord(_without_conjunction(word))
    # Folding wrote taa marbuta as haa, which Snowball strips as a pronoun
    # only when no article came off: المدرسة would stay مدرسه while
    # مدرسة gives مدرس. One final haa goes in every case.
    if len(stem) > 2 and stem.endswith("ه"):
        stem = stem[:-1]
    # The same for the yaa before it (nisba ـية): العسكرية would keep a yaa
    # that عسكرية loses (عسكري / عسكر).
    if word.endswith("يه") and stem.endswith("ي") and len(stem) > 2:
        stem = stem[:-1]
    # Without the article Snowball leaves the alef of a plural -ات:
    # اعدامات gives اعداما where الاعدامات gives اعدام.
    if word.endswith("ات") and stem.endswith("ا") and len(stem) > 3:
        stem = stem[:-1]
    return stem


@lru_cache(maxsize=100_000)
def stem_word(word: str) -> str:
    """The stem of one folded word, by its script: Snowball Arabic (after a
    light step for the conjunction before the article, with endings it
    treats differently with and without the article made alike) or
    Snowball English; digits stay as they are."""
    if ARABIC_LETTERS.search(word):
        return _arabic_stem(word)
    if LATIN_LETTERS.search(word):
        return _stemmer("english").stemWord(word)
    return word


def is_stop_word(word: str) -> bool:
    """Is this folded word left out of the index (a function word, or too
    short to be a term)?"""
    return len(word) < MIN_TERM_LENGTH or word in STOP_WORDS


def index_term(word: str) -> str | None:
    """The term the search index keeps for one folded word, None for none."""
    if is_stop_word(word):
        return None
    return stem_word(word)
