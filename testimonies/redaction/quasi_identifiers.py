"""Identifying details in a text besides names: the witness's contact, other
phone numbers and e-mail addresses, and statements of the witness's birth
year or age (testimonies.redaction.redactor replaces or flags what this finds).

Everything here reads the folded text (testimonies.textnorm.fold): digits of
every script are ASCII digits there, and invisible characters are gone, so
٠٩٤٤ ٦١٥ ٢٨٣ and 0944‌615283 are read like 0944 615 283. Offsets are
offsets in the folded text.

- Phone numbers are found and compared by `phonenumbers` (Google's
  libphonenumber), with Syria as the country of numbers written without
  one: local (0944 615 283), international (+963 944 615 283, 00963...)
  and bare (944615283) forms are one number. The witness's own number is
  also found inside any run of digits and separators that holds it.
- E-mail addresses, also written "name [at] host [dot] org".
- Another kind of contact (a messenger handle) is found as written.
- A birth year where the text states a birth ("born in 1968", "b. 1968",
  "مواليد ١٩٦٨", "ولدت عام 1968", "مواليد 68"), an age where it states an
  age ("I am 57", "aged 57", "57 years old", "عمري ٥٧ سنة", "بعمر 57",
  "fifty-seven years old", "عمري سبعة وخمسين سنة"): replaced when the number
  is the witness's own (the age derived from the birth year and the
  recording or incident year, a year either side of the birthday) or the
  statement is in the first person; a third person's age ("her son, 5
  years old") is left alone: it is evidence, and names no one.
"""

import datetime
import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat

from testimonies.textnorm import WORD, fold

# Numbers written without a country code are read as Syrian.
DEFAULT_REGION = "SY"

CONTACT = "contact"
PHONE = "phone"
EMAIL = "email"
BIRTH_YEAR = "birth-year"
AGE = "age"


@dataclass(frozen=True)
class Found:
    """A detail found in the folded text; `certain`: replace it (else a
    person decides)."""

    start: int
    end: int
    kind: str
    certain: bool


@dataclass(frozen=True)
class ContactForms:
    """The witness's contact, in the forms it is looked for."""

    phone: str = ""  # E.164
    national: str = ""  # the national significant number's digits
    email: str = ""
    literal: str = ""  # any other contact, folded


def _e164(number) -> str:
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def contact_forms(contact: str) -> ContactForms:
    """How to find `contact` (as the witness gave it) in a text."""
    folded = " ".join(fold(contact or "").split())
    if not folded:
        return ContactForms()
    if _EMAIL.fullmatch(folded):
        return ContactForms(email=_email_key(folded))
    try:
        number = phonenumbers.parse(folded, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return ContactForms(phone=_e164(number), national=str(number.national_number))
    return ContactForms(literal=folded)


# name@host.org, and name [at] host [dot] org, name(at)host(dot)org; and
# name at host dot org (the bare words only together: "me at zv.ridge" is
# no address).
_AT = r"(?:\s*@\s*|\s*[\[(]\s*at\s*[\])]\s*)"
_DOT = r"(?:\.|\s*[\[(]\s*dot\s*[\])]\s*)"
_LOCAL = r"[a-z0-9][a-z0-9._%+\-]*"
_HOST = r"[a-z0-9][a-z0-9\-]*"
_EMAIL = re.compile(
    rf"{_LOCAL}{_AT}{_HOST}(?:{_DOT}{_HOST})*{_DOT}[a-z]{{2,}}"
    rf"|{_LOCAL}\s+at\s+{_HOST}(?:\s+dot\s+{_HOST})*\s+dot\s+[a-z]{{2,}}"
)


def _email_key(text: str) -> str:
    text = re.sub(rf"{_AT}|\s+at\s+", "@", text)
    return re.sub(rf"{_DOT}|\s+dot\s+", ".", text).replace(" ", "")


# A run of digits and the separators people put between them.
_DIGIT_RUN = re.compile(r"\+?\d(?:[\s\-./()]{0,3}\d)+")


def _phones(folded: str, contact: ContactForms) -> list[Found]:
    found = []
    for leniency in (Leniency.VALID, Leniency.POSSIBLE):
        for match in phonenumbers.PhoneNumberMatcher(
            folded, DEFAULT_REGION, leniency=leniency
        ):
            mine = bool(contact.phone) and _e164(match.number) == contact.phone
            if leniency == Leniency.VALID or mine:
                kind = CONTACT if mine else PHONE
                found.append(Found(match.start, match.end, kind, mine))
    if contact.national and len(contact.national) >= 6:
        for match in _DIGIT_RUN.finditer(folded):
            if contact.national in re.sub(r"\D", "", match.group()):
                found.append(Found(match.start(), match.end(), CONTACT, True))
    return found


def _emails(folded: str, contact: ContactForms) -> list[Found]:
    found = []
    for match in _EMAIL.finditer(folded):
        mine = bool(contact.email) and _email_key(match.group()) == contact.email
        found.append(
            Found(match.start(), match.end(), CONTACT if mine else EMAIL, mine)
        )
    return found


def _literal(folded: str, contact: ContactForms) -> list[Found]:
    if len(contact.literal) < 4:
        return []
    pattern = r"\s*".join(map(re.escape, contact.literal.replace(" ", "")))
    return [
        Found(match.start(), match.end(), CONTACT, True)
        for match in re.finditer(pattern, folded)
    ]


# What a text must hold to hold a phone number (six digits, whatever is
# between them) or an address; most texts hold neither, and the finders
# are slow.
_SIX_DIGITS = re.compile(r"\d(?:[\s\-./()]{0,3}\d){5}")
_AT_SIGNS = ("@", "(at)", "[at]", "( at )", "[ at ]")


def contacts_in(folded: str, contact: ContactForms) -> list[Found]:
    """The witness's contact (certain), and other phone numbers and e-mail
    addresses (for a person to decide) in a folded text."""
    found = _literal(folded, contact)
    if _SIX_DIGITS.search(folded):
        found += _phones(folded, contact)
    if any(sign in folded for sign in _AT_SIGNS) or (
        " at " in folded and " dot " in folded
    ):
        found += _emails(folded, contact)
    return found


# Words (folded) that say the number near them is a birth year or an age,
# and words that say whose it is. An Arabic cue may carry و or ف.
_BIRTH_CUES = frozenset(
    "born birth birthday birthdate dob b nee مواليد مواليدي مولود مولوده ولدت ولد "
    "ميلاد ميلادي تولد مولد ولاده ولادتي".split()
)
_AGE_CUES = frozenset(
    "am im aged age turned عمري عمره عمرها عمرك بعمر العمر عمر سني ابلغ بلغت".split()
)
_AGE_UNITS = frozenset("years year yrs yr سنه سنوات سنين عاما عام اعوام".split())
_AGE_AFTER_UNITS = frozenset("old عمري العمر".split())
# "I was born", "I am 57", "عمري": the witness speaking of themself ("my"
# only before the cue itself: "my age", not "my son, 5 years old").
_FIRST_PERSON = frozenset(
    "i im am انا عمري مواليدي ولادتي ميلادي سني ولدت بلغت ابلغ".split()
)
_MY = frozenset(["my"])
# How far (in words) a cue may stand from the number it speaks of.
_BIRTH_WINDOW = 6
_AGE_WINDOW = 3

_ENGLISH_UNITS = {
    w: n
    for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve "
        "thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_ENGLISH_TENS = {
    w: 10 * n
    for n, w in enumerate(
        "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
    )
    if w != "_"
}
# Folded (ة as ه, hamza seats gone): masculine and feminine forms.
_ARABIC_UNITS = {
    **dict.fromkeys(["واحد", "واحده", "احد", "احدي"], 1),
    **dict.fromkeys(["اثنان", "اثنين", "اثنتان", "اثنتين", "اثنا", "اثني"], 2),
    **dict.fromkeys(["ثلاث", "ثلاثه"], 3),
    **dict.fromkeys(["اربع", "اربعه"], 4),
    **dict.fromkeys(["خمس", "خمسه"], 5),
    **dict.fromkeys(["ست", "سته"], 6),
    **dict.fromkeys(["سبع", "سبعه"], 7),
    **dict.fromkeys(["ثمان", "ثماني", "ثمانيه"], 8),
    **dict.fromkeys(["تسع", "تسعه"], 9),
}
_ARABIC_TEN = frozenset(["عشر", "عشره"])
_ARABIC_TENS = {
    **dict.fromkeys(["عشرون", "عشرين"], 20),
    **dict.fromkeys(["ثلاثون", "ثلاثين"], 30),
    **dict.fromkeys(["اربعون", "اربعين"], 40),
    **dict.fromkeys(["خمسون", "خمسين"], 50),
    **dict.fromkeys(["ستون", "ستين"], 60),
    **dict.fromkeys(["سبعون", "سبعين"], 70),
    **dict.fromkeys(["ثمانون", "ثمانين"], 80),
    **dict.fromkeys(["تسعون", "تسعين"], 90),
}


# Words that begin a number written out.
_NUMBER_WORDS = frozenset(
    [*_ENGLISH_UNITS, *_ENGLISH_TENS, *_ARABIC_UNITS, *_ARABIC_TEN, *_ARABIC_TENS]
)


def _without_conjunction(word: str) -> str:
    return word[1:] if len(word) > 2 and word[0] in "وف" else word


def _number_at(words: list[str], index: int) -> tuple[int, int] | None:
    """(value, words used) of a number written at words[index]: digits,
    English words (fifty seven) or Arabic words (سبعة وخمسين)."""
    word = words[index]
    if word.isdigit():
        return int(word), 1
    following = words[index + 1] if index + 1 < len(words) else ""
    if word in _ENGLISH_TENS:
        if following in _ENGLISH_UNITS and 0 < _ENGLISH_UNITS[following] < 10:
            return _ENGLISH_TENS[word] + _ENGLISH_UNITS[following], 2
        return _ENGLISH_TENS[word], 1
    if word in _ENGLISH_UNITS:
        return _ENGLISH_UNITS[word], 1
    if word in _ARABIC_UNITS:
        unit = _ARABIC_UNITS[word]
        tens = _without_conjunction(following) if following.startswith("و") else ""
        if tens in _ARABIC_TENS:
            return unit + _ARABIC_TENS[tens], 2
        if following in _ARABIC_TEN:
            return 10 + unit, 2
        return unit, 1
    if word in _ARABIC_TEN:
        return 10, 1
    if word in _ARABIC_TENS:
        return _ARABIC_TENS[word], 1
    return None


def _cue(words: list[str], start: int, end: int, cues) -> bool:
    return any(
        w in cues or _without_conjunction(w) in cues
        for w in words[max(0, start) : max(0, end)]
    )


# A number standing as a word: digits, or the first word of one written out.
_NUMBER_TOKEN = None


def _number_token() -> re.Pattern:
    global _NUMBER_TOKEN
    if _NUMBER_TOKEN is None:
        spelt = "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True))
        _NUMBER_TOKEN = re.compile(rf"(?<![^\W_])(?:\d+|{spelt})(?![^\W_])")
    return _NUMBER_TOKEN


_ANY_CUE = None


def _any_cue() -> re.Pattern:
    """Any word that can make a number a birth year or an age, as a word or
    the end of one (with و or ف before it)."""
    global _ANY_CUE
    if _ANY_CUE is None:
        cues = sorted(_BIRTH_CUES | _AGE_CUES | _AGE_AFTER_UNITS, key=len, reverse=True)
        _ANY_CUE = re.compile(
            rf"(?<![^\W_\u0648\u0641])(?:{'|'.join(map(re.escape, cues))})(?![^\W_])"
        )
    return _ANY_CUE


# How much text around a number is read for its cues.
_BEFORE_CHARS, _AFTER_CHARS = 160, 80


def birth_statements_in(
    folded: str, *, birth_year: int | None, reference_years=()
) -> list[Found]:
    """Birth years and ages stated in a folded text that are the witness's
    (see the module docstring): the words around each number are read."""
    if not _any_cue().search(folded):
        return []  # no birth or age spoken of (most texts)
    ages = {
        year - birth_year - back
        for year in reference_years
        if birth_year
        for back in (0, 1)
    }
    this_year = datetime.date.today().year
    found, taken = [], 0
    for match in _number_token().finditer(folded):
        if match.start() < taken:
            continue  # the second word of a number already read
        before = WORD.findall(
            folded, max(0, match.start() - _BEFORE_CHARS), match.start()
        )
        after = list(WORD.finditer(folded, match.end(), match.end() + _AFTER_CHARS))
        words = [*before, match.group(), *(m.group() for m in after)]
        index = len(before)
        number = _number_at(words, index)
        if number is None:
            continue
        value, used = number
        last = index + used
        start = match.start()
        end = match.end() if used == 1 else after[used - 2].end()
        digits = words[index] if words[index].isdigit() else ""
        # A year of two digits only right after its cue (مواليد 68, born in
        # 68): "born in 1931; I am 94" states an age.
        window = _BIRTH_WINDOW if len(digits) == 4 else 2
        birth = len(digits) in (2, 4) and (
            _cue(words, index - window, index, _BIRTH_CUES)
            or _cue(words, last, last + 2, _BIRTH_CUES)
        )
        if len(digits) == 2 and _cue(words, index - _AGE_WINDOW, index, _AGE_CUES):
            birth = False
        cues = _BIRTH_CUES if birth else _AGE_CUES
        mine = _first_person(
            words, index, _BIRTH_WINDOW if birth else _AGE_WINDOW, cues
        )
        kind = None
        if birth and len(digits) == 4 and 1900 <= value <= this_year:
            if mine or value == birth_year:
                kind = BIRTH_YEAR
        elif birth and len(digits) == 2:
            # مواليد 68: the year without its century.
            if mine or (birth_year and birth_year % 100 == value):
                kind = BIRTH_YEAR
        elif 0 < value <= 120 and _is_age(words, index, last):
            if mine or value in ages:
                kind = AGE
        if kind:
            found.append(Found(start, end, kind, True))
        taken = end
    return found


def _first_person(words: list[str], index: int, window: int, cues) -> bool:
    """Does the witness speak of themself just before words[index]: "I",
    "I am", "عمري", or "my" followed by the cue ("my age is 57")?"""
    before = words[max(0, index - window) : index]
    if any(
        w in _FIRST_PERSON or _without_conjunction(w) in _FIRST_PERSON for w in before
    ):
        return True
    return any(
        w in _MY and following in cues
        for w, following in zip(before, before[1:], strict=False)
    )


def _is_age(words: list[str], index: int, last: int) -> bool:
    if _cue(words, index - _AGE_WINDOW, index, _AGE_CUES):
        return True
    unit = words[last] if last < len(words) else ""
    if unit not in _AGE_UNITS:
        return False
    after = words[last + 1 : last + 3]
    return any(
        w in _AGE_AFTER_UNITS or _without_conjunction(w) in _AGE_AFTER_UNITS
        for w in after
    )
