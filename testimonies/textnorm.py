"""Folding text for matching: case, diacritics and Arabic letter variants.

Used wherever two spellings of one name must meet: redaction of names, the
gazetteer's place lookup. `fold_with_offsets` also says where each folded
character came from, so that a match can be replaced in the original text.
"""

import unicodedata

# Letter variants that writers use interchangeably; hamza seats and alef
# forms fold to bare alef, taa marbuta to haa, alef maqsura to yaa.
_ARABIC_LETTER_FOLDS = {
    "\u0671": "\u0627",  # ٱ alef wasla
    "\u0629": "\u0647",  # ة taa marbuta
    "\u0649": "\u064a",  # ى alef maqsura
    "\u0640": "",  # ـ tatweel
}


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
    return "".join(_fold_char(char) for char in text)


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """The matching form, and for each of its characters the index of the
    original character it came from."""
    folded, origins = [], []
    for index, char in enumerate(text):
        piece = _fold_char(char)
        folded.append(piece)
        origins.extend([index] * len(piece))
    return "".join(folded), origins


def is_arabic(text: str) -> bool:
    return any("\u0600" <= char <= "\u06ff" for char in text)
