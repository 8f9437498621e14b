"""What PostgreSQL's text search is given to analyse: the archive's folded
words (testimonies.textnorm.words), with the few steps of the archive's own
Arabic stemming that must come before a Snowball stemmer, since PostgreSQL's
Snowball Arabic follows (search.postgres.backends):

- a conjunction before the article goes (والمدرسة -> المدرسة): Snowball
  strips the article, not the conjunction before it;
- a final haa, which folding made of every taa marbuta, is written as taa
  marbuta again: Snowball takes ة off every form of a word (مدرسة,
  المدرسة, بالمدرسة -> مدرس), while a final ه it takes off only when no
  article came off (المدرسه would stay مدرسه). A pronoun ه becomes ة, which
  Snowball takes off alike (بيته -> بيت);
- a plural in ـات without the article (إعدامات) loses its ending:
  Snowball leaves the alef there (اعداما) while it takes the whole ending
  off after the article (الاعدامات -> اعدام). Only words of six letters or
  more, where ات is the plural's ending rather than a part of the root;
- a word the archive keeps whole (جبلة, the town, which Snowball would make
  جبل, the mountain) gets KEPT_WHOLE_MARK, a digit: PostgreSQL's parser then
  reads it as a word with digits, which no stemmer touches.

The same is done to a query's words, so both sides meet.
"""

from testimonies.textnorm import (
    ARABIC_LETTERS,
    MIN_TERM_LENGTH,
    STOP_WORDS,
    fold,
    kept_whole,
    without_conjunction,
    words,
)

KEPT_WHOLE_MARK = "0"


def folded_words(text: str) -> list[str]:
    """The words of `text`, folded as the archive folds them."""
    return [word.text for word in words(text or "")]


def is_term(word: str) -> bool:
    """Whether a folded word is a term of the archive's analysis (as on the
    Whoosh engine): not a stop word, not shorter than MIN_TERM_LENGTH."""
    return len(word) >= MIN_TERM_LENGTH and word not in STOP_WORDS


def engine_word(word: str) -> str:
    """A folded word as PostgreSQL's configurations are given it."""
    if not ARABIC_LETTERS.search(word):
        return word
    kept = kept_whole(word)
    if kept:
        return kept + KEPT_WHOLE_MARK
    word = without_conjunction(word)
    if len(word) >= 6 and word.endswith("ات") and not word.startswith("ال"):
        word = word[:-2]
    if len(word) > 2 and word.endswith("ه"):
        word = word[:-1] + "ة"
    return word


def engine_text(text: str) -> str:
    """The words of `text` as PostgreSQL is given them, one space apart."""
    return " ".join(engine_word(word) for word in folded_words(text))


def as_folded(word: str) -> str:
    """A word of engine_text back in the archive's folded form (for "did
    you mean", which compares and proposes folded words)."""
    return fold(word.removesuffix(KEPT_WHOLE_MARK))
