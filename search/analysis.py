"""Text analysis for Arabic and English testimonies, in one index field.

Whoosh pickles a schema with its analyzer, so everything here lives at
module level and holds no unpicklable state: the Snowball stemmers are
created per thread on first use, never stored on a filter.

`text_analyzer()` is the one analyzer used to index the text, to read the
query and to mark matches in excerpts; a query written with or without
short vowels, in any alef form or with clitics, meets the same terms.

    tokens      words of letters and digits, keeping the Arabic combining
                marks (harakat, shadda, superscript alef), tatweel,
                apostrophes and Latin combining accents inside the word
    folding     testimonies.textnorm.fold (the gazetteer's own matching
                form: case, diacritics, tashkeel, tatweel, alef forms,
                taa marbuta, alef maqsura), apostrophes and zero-width
                joiners removed, Arabic-Indic digits as ASCII digits
    stop words  English and Arabic function words
    stemming    Snowball Arabic for Arabic-script words, after a light
                step for the conjunction before the article (وال, فال)
                and with endings it treats differently with and without
                the article made alike (ـة, ـية, ـات); a town name it
                would merge with a common word kept whole (جبلة); Snowball
                English for Latin-script words
"""

import re
import threading
from functools import lru_cache

from whoosh.analysis import Filter, RegexTokenizer, StopFilter
from whoosh.lang.stopwords import stoplists

from testimonies.textnorm import fold

# Marks that Python's \w does not match but that belong inside a word:
# Arabic harakat, tanween, shadda, sukun, hamza marks (U+064B-U+065F),
# superscript alef (U+0670), Quranic annotation marks, Latin combining
# accents (text typed in decomposed form) and the zero-width (non-)joiner.
_IN_WORD_MARKS = (
    "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8"
    "\u06ea-\u06ed\u200c\u200d"
)
# Apostrophes inside a word are part of it in transliterations
# (Ba'ath, Sa’id): they are dropped when folding, so Ba'ath meets Baath.
_APOSTROPHES = "'\u2019\u02bc\u02bf\u02be"
WORD_PATTERN = rf"[\w{_IN_WORD_MARKS}]+(?:[{_APOSTROPHES}][\w{_IN_WORD_MARKS}]+)*"

# Characters folding removes beyond textnorm.fold: apostrophes, ayn and
# hamza half rings of transliterations, zero-width (non-)joiners.
_DROPPED = dict.fromkeys(map(ord, _APOSTROPHES + "\u200c\u200d"))
# Arabic-Indic and extended (Persian) digits as ASCII digits: ٢٠٢٥ is 2025.
_DIGITS = {0x0660 + n: str(n) for n in range(10)} | {
    0x06F0 + n: str(n) for n in range(10)
}
_TRANSLATE = _DROPPED | _DIGITS

_ARABIC_LETTERS = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_LATIN_LETTERS = re.compile("[a-z\u00c0-\u024f]")


# Words repeat: each distinct one is folded and stemmed once per process.
@lru_cache(maxsize=100_000)
def fold_token(text: str) -> str:
    """The matching form of one word (see the module docstring)."""
    if text.isascii():
        return text.lower().translate(_TRANSLATE)
    return fold(text.translate(_TRANSLATE))


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


def _unstemmed(word: str) -> str | None:
    for clitic in ("", *_CLITICS):
        if word.startswith(clitic) and word[len(clitic) :] in _UNSTEMMED:
            return word[len(clitic) :]
    return None


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
    """The stem of one folded word, by its script."""
    if _ARABIC_LETTERS.search(word):
        return _arabic_stem(word)
    if _LATIN_LETTERS.search(word):
        return _stemmer("english").stemWord(word)
    return word


class FoldFilter(Filter):
    """Folds every token to its matching form (fold_token)."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold_token(token.text)
            yield token


class ScriptStemFilter(Filter):
    """Stems Arabic-script words with Snowball Arabic and Latin-script words
    with Snowball English; digits stay as they are.

    `version` is part of the pickled schema: raise it whenever the terms
    this analysis produces change, so that rebuild_index recreates the
    index (search.backends) instead of mixing old and new terms."""

    is_morph = True

    def __init__(self, version: int = 1):
        self.version = version

    def __call__(self, tokens):
        for token in tokens:
            if not token.stopped:
                token.text = stem_word(token.text)
            yield token


ANALYSIS_VERSION = 1


def text_analyzer():
    """The analyzer of the index's text field, for documents and queries."""
    return (
        RegexTokenizer(WORD_PATTERN)
        | FoldFilter()
        | StopFilter(stoplist=STOP_WORDS, minsize=2)
        | ScriptStemFilter(version=ANALYSIS_VERSION)
    )
