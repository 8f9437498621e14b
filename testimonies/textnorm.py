"""Folding text for matching: case, diacritics and Arabic letter variants.

Used wherever two spellings of one name must meet: redaction of names, the
gazetteer's place lookup. `fold_with_offsets` also says where each folded
character came from, so that a match can be replaced in the original text.
"""

import unicodedata
from functools import lru_cache

# Letter variants that writers use interchangeably; hamza seats and alef
# forms fold to bare alef, taa marbuta to haa, alef maqsura to yaa.
_ARABIC_LETTER_FOLDS = {
    "\u0671": "\u0627",  # ٱ alef wasla
    "\u0629": "\u0647",  # ة taa marbuta
    "\u0649": "\u064a",  # ى alef maqsura
    "\u0640": "",  # ـ tatweel
}


# Called for every character of every text redacted or indexed: the fold of
# a character never changes, and a text uses a few hundred distinct ones.
@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    folded = []
    # NFD splits أ إ آ ؤ ئ and Latin accented letters into base + mark.
    for part in unicodedata.normalize("NFD", char):
        if unicodedata.category(part) == "Mn":
            continue
        folded.append(_ARABIC_LETTER_FOLDS.get(part, part))
    return "".join(folded).casefold()


def fold(text: str) -> str:
    """The matching form of `text`."""
    return "".join(map(_fold_char, text))


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """The matching form, and for each of its characters the index of the
    original character it came from."""
    pieces = list(map(_fold_char, text))
    folded = "".join(pieces)
    if len(folded) == len(text) and "" not in pieces:
        # Every character folded to exactly one (nearly always).
        return folded, list(range(len(text)))
    origins = []
    for index, piece in enumerate(pieces):
        origins.extend([index] * len(piece))
    return folded, origins


def is_arabic(text: str) -> bool:
    return any("\u0600" <= char <= "\u06ff" for char in text)
