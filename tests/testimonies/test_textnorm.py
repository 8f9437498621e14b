"""The one folding for matching (testimonies.textnorm), shared by redaction,
the search analysis and the leak scan: every spelling that real text uses
for a letter meets that letter."""

import pytest

from testimonies.textnorm import fold, fold_with_offsets, index_term, words

ZWNJ, ZWJ, RLM, LRM, ALM = "\u200c", "\u200d", "\u200f", "\u200e", "\u061c"
ZWSP, SHY, WJ, BOM = "\u200b", "\u00ad", "\u2060", "\ufeff"
INVISIBLE = [ZWNJ, ZWJ, RLM, LRM, ALM, ZWSP, SHY, WJ, BOM, "\u202b", "\u2066"]


@pytest.mark.parametrize("mark", INVISIBLE)
def test_invisible_characters_inside_a_word_fold_away(mark):
    assert fold(f"Ay{mark}man") == "ayman"
    assert fold(f"أي{mark}من") == fold("أيمن")


def test_arabic_presentation_forms_fold_to_the_letters():
    # أيمن as a PDF gives it: isolated/initial/medial/final forms.
    assert fold("\ufe83\ufef4\ufee4\ufee6") == fold("أيمن")
    # The lam-alef ligature and the ligature of Allah.
    assert fold("\ufefb") == "لا"
    assert fold("\ufdf2") == fold("الله")


@pytest.mark.parametrize(
    "spelling",
    [
        "\uff21\uff59\uff4d\uff41\uff4e",  # fullwidth Ａｙｍａｎ
        "\U0001d400\U0001d432\U0001d426\U0001d41a\U0001d427",  # bold 𝐀𝐲𝐦𝐚𝐧
        "\U0001d4d0\U0001d502\U0001d4f6\U0001d4ea\U0001d4f7",  # script
        "\u24b6yman",  # circled Ⓐ
    ],
)
def test_compatibility_forms_fold_to_plain_letters(spelling):
    assert fold(spelling) == "ayman"


@pytest.mark.parametrize(
    "persian, arabic",
    [
        ("علی", "علي"),  # Persian yeh
        ("کریم", "كريم"),  # keheh
        ("فاتمە", "فاتمة"),  # Kurdish ae for taa marbuta
        ("هۆشیار", "هوشيار"),  # Kurdish oe
        ("ڕەشید", "رهشيد"),  # Sorani reh with v, vowel ە written
        ("گوڵ", "كول"),  # gaf, Sorani lam with v
        ("ێزدان", "يزدان"),
        ("ھادی", "هادي"),  # heh doachashmee
    ],
)
def test_persian_and_kurdish_letters_fold_to_the_arabic_ones(persian, arabic):
    assert fold(persian) == fold(arabic)


def test_tanween_and_harakat_fold_away_leaving_the_accusative_alef():
    assert fold("سميراً") == fold("سميرا")
    assert fold("عليٌّ") == fold("علي")


@pytest.mark.parametrize(
    "homoglyph",
    [
        "Aym\u0430n",  # Cyrillic а
        "\u0410yman",  # Cyrillic А
        "Aym\u03b1n",  # Greek alpha
        "S\u0430m\u0456r",  # Cyrillic а and і
    ],
)
def test_latin_homoglyphs_fold_to_latin(homoglyph):
    assert fold(homoglyph) in ("ayman", "samir")


def test_digits_of_every_script_fold_to_ascii():
    assert fold("١٩٦٨") == "1968"
    assert fold("۱۹۶۸") == "1968"  # Persian digits
    assert fold("\uff11\uff19\uff16\uff18") == "1968"  # fullwidth


def test_apostrophes_and_ayn_signs_of_transliterations_fold_away():
    for spelling in ("Sa'id", "Sa’id", "Saʿid", "Saʼid", "Sa`id"):
        assert fold(spelling) == "said"


def test_dashes_fold_to_one_hyphen():
    assert fold("al\u2010Hassan") == fold("al\u2011Hassan") == "al-hassan"


def test_the_original_alef_maqsura_can_be_kept_for_meaning():
    assert fold("على") == fold("علي")
    assert fold("على", keep_alef_maqsura=True) != fold("علي", keep_alef_maqsura=True)
    assert fold("مصطفى", keep_alef_maqsura=True) == "مصطفى"


@pytest.mark.parametrize(
    "text",
    [
        "Ay\u200cman \ufe83\ufef4\ufee4\ufee6 ﷲ Ｓａｍｉｒ",
        "قال عليٌّ: سميراً",
        "plain text",
        "",
    ],
)
def test_offsets_point_back_to_the_original_characters(text):
    folded, origins = fold_with_offsets(text)
    assert folded == fold(text)
    assert len(origins) == len(folded)
    assert origins == sorted(origins)
    for char, origin in zip(folded, origins, strict=True):
        assert char in fold(text[origin])


def test_folding_twice_changes_nothing():
    text = "Ay\u200cman ﷲ Ｓａｍｉｒ علی سميراً ١٩٦٨ Sa'id \u0410yman"
    assert fold(fold(text)) == fold(text)


def test_words_are_letters_and_digits_in_original_offsets():
    text = "#أيمن_فارس وAy\u200cman1968, Sa'id."
    found = [(w.text, text[w.start : w.end]) for w in words(text)]
    assert found == [
        (fold("أيمن"), "أيمن"),
        (fold("فارس"), "فارس"),
        (fold("وAy\u200cman1968"), "وAy\u200cman1968"),
        ("said", "Sa'id"),
    ]


def test_index_terms_drop_function_words_and_stem():
    assert index_term("في") is None
    assert index_term(fold("المدرسة")) == index_term(fold("مدرسة"))
    assert index_term("looting") == index_term("looted")
