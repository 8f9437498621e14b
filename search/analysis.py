"""Text analysis for Arabic and English testimonies, in one index field.

Whoosh pickles a schema with its analyzer, so everything here lives at
module level and holds no unpicklable state.

`text_analyzer()` is the one analyzer used to index the text, to read the
query and to mark matches in excerpts; a query written with or without
short vowels, in any alef form or with clitics, meets the same terms.

    tokens      the words of testimonies.textnorm.words: the text folded by
                testimonies.textnorm.fold (case, diacritics, tashkeel,
                tatweel, alef forms, taa marbuta, alef maqsura, Persian and
                Kurdish letters, presentation and other compatibility forms,
                invisible characters, homoglyphs, apostrophes, digits of
                every script), cut into runs of letters and digits; each
                token keeps its place in the original text for excerpts
    stop words  English and Arabic function words (textnorm.STOP_WORDS)
    stemming    textnorm.stem_word: Snowball Arabic for Arabic-script words,
                after a light step for the conjunction before the article
                (وال, فال) and with endings it treats differently with and
                without the article made alike (ـة, ـية, ـات); a town name
                it would merge with a common word kept whole (جبلة);
                Snowball English for Latin-script words

The folding and the terms are testimonies.textnorm's, which redaction uses
too: redaction sees through everything this analysis folds, so a name it
leaves in a text cannot turn into the same term as the name here
(tests/testimonies/test_redaction_properties.py holds the two together).
"""

from whoosh.analysis import Filter, StopFilter, Tokenizer
from whoosh.analysis.acore import Token

from testimonies.textnorm import (
    ARABIC_STOP_WORDS,
    ENGLISH_STOP_WORDS,
    MIN_TERM_LENGTH,
    STOP_WORDS,
    WORD,
    fold,
    stem_word,
    words,
)

__all__ = [
    "ANALYSIS_VERSION",
    "ARABIC_STOP_WORDS",
    "ENGLISH_STOP_WORDS",
    "STOP_WORDS",
    "WORD_PATTERN",
    "fold_token",
    "stem_word",
    "text_analyzer",
]

# The words of a folded text (textnorm.WORD).
WORD_PATTERN = WORD.pattern


def fold_token(text: str) -> str:
    """The matching form of one word (textnorm.fold)."""
    return fold(text)


class FoldingTokenizer(Tokenizer):
    """The words of testimonies.textnorm.words, already folded, with their
    offsets in the original text (for excerpts)."""

    def __eq__(self, other):
        return self.__class__ is other.__class__

    def __call__(
        self, value, positions=False, chars=False, keeporiginal=False,
        removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
        **kwargs,
    ):  # fmt: skip
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if tokenize:
            spans = [(word.text, word.start, word.end) for word in words(value)]
        else:
            # The value is one token, as Whoosh's tokenizers give it: a
            # prefix or wildcard of a query, folded like every other word so
            # that "Ban*" meets the terms of "Banias".
            spans = [(fold(value), 0, len(value))]
        for position, (text, start, end) in enumerate(spans):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


class FoldFilter(Filter):
    """Folds every token to its matching form. No longer in the analysis
    (FoldingTokenizer folds): kept so that an index built before still
    unpickles, and is then found to need a rebuild."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold(token.text)
            yield token


class ScriptStemFilter(Filter):
    """Stems Arabic-script words with Snowball Arabic and Latin-script words
    with Snowball English; digits stay as they are.

    `version` is part of the pickled schema: raise it whenever the terms
    this analysis produces change, so that rebuild_index recreates the
    index (search.whoosh.backends) instead of mixing old and new terms."""

    is_morph = True

    def __init__(self, version: int = 1):
        self.version = version

    def __call__(self, tokens):
        for token in tokens:
            if not token.stopped:
                token.text = stem_word(token.text)
            yield token


# 2: words read from the folded text (invisible characters, compatibility
# forms, Persian and Kurdish letters, homoglyphs; "_" separates words).
ANALYSIS_VERSION = 2


def text_analyzer():
    """The analyzer of the index's text field, for documents and queries."""
    return (
        FoldingTokenizer()
        | StopFilter(stoplist=STOP_WORDS, minsize=MIN_TERM_LENGTH)
        | ScriptStemFilter(version=ANALYSIS_VERSION)
    )
