"""Redaction against the spellings real text holds, and what it asks a
person to decide (testimonies.redaction.redactor)."""

import datetime

import pytest

from testimonies.redaction.redactor import Reason, Redactor

W = "[W-7K3QX]"


def redactor(names=("Ayman Fares", "أيمن فارس"), persons=(), **terms):
    return Redactor(
        witness_names=list(names),
        witness_placeholder="W-7K3QX",
        persons_named=list(persons),
        **terms,
    )


def flagged(red, text, language="en"):
    return [
        (text[c.start : c.end], c.reason, c.owner)
        for c in red.scan(text, language).candidates
    ]


# --- every spelling class of a name is redacted ---------------------------

INVISIBLE = ["\u200c", "\u200d", "\u200f", "\u200e", "\u061c", "\u200b", "\u00ad",
             "\u2060", "\ufeff"]  # fmt: skip


@pytest.mark.parametrize("mark", INVISIBLE)
def test_a_name_with_an_invisible_character_inside_is_redacted(mark):
    red = redactor()
    assert red.redact(f"I am Ay{mark}man.") == f"I am {W}."
    assert red.redact(f"أنا أي{mark}من.", "ar") == f"أنا {W}."


def test_a_name_in_arabic_presentation_forms_is_redacted():
    # أيمن فارس as copied from a PDF.
    text = "قال \ufe83\ufef4\ufee4\ufee6 \ufed3\ufe8e\ufead\ufeb1 ذلك"
    assert redactor().redact(text, "ar") == f"قال {W} ذلك"


@pytest.mark.parametrize(
    "spelling",
    [
        "\uff21\uff59\uff4d\uff41\uff4e",
        "\U0001d400\U0001d432\U0001d426\U0001d41a\U0001d427",
    ],
)
def test_a_name_in_fullwidth_or_mathematical_letters_is_redacted(spelling):
    assert redactor().redact(f"It was {spelling} again.") == f"It was {W} again."


@pytest.mark.parametrize("spelling", ["ایمن", "أیمن", "اﻳﻤﻦ"])
def test_a_name_in_persian_letters_is_redacted(spelling):
    assert redactor().redact(f"جاء {spelling} وحده", "ar") == f"جاء {W} وحده"


def test_a_name_in_kurdish_letters_is_redacted():
    red = redactor(["Karim Hoshyar", "كريم هوشيار"])
    # Sorani: keheh, Farsi yeh, oe.
    assert red.redact("هۆشیار هات", "ku") == f"{W} هات"
    assert red.redact("ناوی هۆشیار", "ku") == f"ناوی {W}"


def test_a_name_in_sorani_spelling_with_its_vowels_is_flagged():
    red = redactor(["Rashid Omar", "رشيد عمر"])
    assert flagged(red, "ڕەشید هات", "ku") == [
        ("ڕەشید", Reason.TRANSLITERATION, "witness")
    ]


def test_a_name_with_tanween_and_the_accusative_alef_is_redacted():
    red = redactor(["Samir Haddad", "سمير حداد"])
    assert red.redact("رأيت سميراً في السوق", "ar") == f"رأيت {W} في السوق"
    assert red.redact("رأيت سميرًا في السوق", "ar") == f"رأيت {W} في السوق"


def test_a_name_with_the_alef_but_no_tanween_is_flagged():
    red = redactor(["Samir Haddad", "سمير حداد"])
    assert flagged(red, "جاءت سميرا", "ar") == [("سميرا", Reason.SAME_TERM, "witness")]


@pytest.mark.parametrize(
    "text, redacted",
    [
        ("#أيمن_فارس", f"#{W}"),
        ("#أيمن_من_بانياس", f"#{W}_من_بانياس"),
        ("#Ayman_Fares and #ayman", f"#{W} and #{W}"),
        ("tag Ayman_1968 here", f"tag {W}_1968 here"),
    ],
)
def test_a_name_in_a_hashtag_or_with_underscores_is_redacted(text, redacted):
    assert redactor().redact(text) == redacted


@pytest.mark.parametrize(
    "text, redacted",
    [
        ("write to ayman1968 now", f"write to {W} now"),
        ("أيمن2 وصل", f"{W} وصل"),
        ("1968Ayman", W),
    ],
)
def test_a_name_with_digits_glued_to_it_is_redacted(text, redacted):
    assert redactor().redact(text) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "I am Ay-\nman.",
        "I am Ay-\n  man.",
        "I am Ay\u2010\r\nman.",
        "I am Ay\u00adman.",
    ],
)
def test_a_name_hyphenated_across_a_line_break_is_redacted(text):
    assert redactor().redact(text) == f"I am {W}."


@pytest.mark.parametrize(
    "spelling", ["Aym\u0430n", "\u0410yman", "Ayman".replace("a", "\u03b1")]
)
def test_a_latin_name_with_homoglyphs_is_redacted(spelling):
    assert redactor().redact(f"I am {spelling}.") == f"I am {W}."


def test_clitics_before_and_endings_after_a_name():
    red = redactor()
    assert red.redact("وأيمن ولأيمن فبأيمن", "ar") == f"و{W} ول{W} فب{W}"
    assert red.redact("Ayman's house, Ayman’s car") == f"{W}'s house, {W}’s car"


def test_an_ending_the_index_would_strip_without_an_apostrophe_is_flagged():
    assert flagged(redactor(), "The Aymans came.") == [
        ("Aymans", Reason.SAME_TERM, "witness")
    ]


def test_the_article_before_a_name_without_one_is_flagged():
    # الأيمن is also "the right-hand one": a person decides.
    assert flagged(redactor(), "على الجانب الأيمن", "ar") == [
        ("الأيمن", Reason.SAME_TERM, "witness")
    ]


# --- common words: kept, flagged ------------------------------------------


def test_the_preposition_ala_is_kept_and_flagged_for_the_name_ali():
    red = redactor(["Ali Haidar", "علي حيدر"])
    text = "جلس على الأرض، وقال علي إنهم جاؤوا."
    scan = red.scan(text, "ar")
    assert red.redact(text, "ar") == text  # nothing replaced blindly
    assert [(text[c.start : c.end], c.reason) for c in scan.candidates] == [
        ("على", Reason.LETTER_FOLD),
        ("علي", Reason.COMMON_WORD),
    ]
    # The full name is no common word.
    assert red.redact("أنا علي حيدر", "ar") == f"أنا {W}"


@pytest.mark.parametrize(
    "part, text",
    [
        ("حسن", "كان الوضع حسن"),
        ("نور", "لم يكن هناك نور"),
        ("أمل", "لا أمل لنا"),
        ("كريم", "كان رجلاً كريم"),
        ("سعيد", "لم يكن أحد سعيد"),
        ("فارس", "مثل فارس على حصان"),
        ("هالة", "هالة من الضوء"),
    ],
)
def test_a_name_part_that_is_a_common_word_is_kept_and_flagged(part, text):
    red = redactor([f"{part} درويش"])
    assert red.redact(text, "ar") == text
    (candidate,) = red.scan(text, "ar").candidates
    assert candidate.reason == Reason.COMMON_WORD
    assert candidate.owner == "witness"


def test_said_in_english_is_kept_and_flagged_for_the_name_said():
    red = redactor(["Said Khoury"])
    text = "He said that Khoury was taken."
    assert red.redact(text) == f"He said that {W} was taken."
    assert flagged(red, text) == [("said", Reason.COMMON_WORD, "witness")]


def test_alef_maqsura_in_a_short_word_is_flagged_not_redacted():
    red = redactor(["منى يوسف"])
    text = "أخذوا مني كل شيء"
    assert red.redact(text, "ar") == text
    assert flagged(red, text, "ar")[0][1] == Reason.LETTER_FOLD
    # In a longer name ى and ي are spellings of one name.
    red = redactor(["مصطفى بكور"])
    assert red.redact("جاء مصطفي", "ar") == f"جاء {W}"


# --- compound names --------------------------------------------------------


def test_a_compound_arabic_name_is_redacted_as_one_name():
    red = redactor(["عبد الله حسن"])
    assert red.redact("قال عبد الله إن شاء الله", "ar") == f"قال {W} إن شاء الله"
    assert red.redact("قال عبدالله", "ar") == f"قال {W}"
    red = redactor(["أبو علي الحسن"])
    assert red.redact("جاء أبو علي", "ar") == f"جاء {W}"
    assert red.redact("أبو علي وأبو محمد", "ar") == f"{W} وأبو محمد"
    red = redactor(["نور الدين زنكي"])
    text = "باسم الدين"
    assert red.redact(text, "ar") == text
    assert red.redact("نور الدين زنكي", "ar") == W


# --- likely spellings: flagged ---------------------------------------------


@pytest.mark.parametrize(
    "name, spelling",
    [
        ("Ayman Fares", "Aiman"),
        ("Ayman Fares", "Aymen"),
        ("Samir Haddad", "Sameer"),
        ("Shiyar Hesso", "Şiyar"),
        ("Şiyar Hesso", "Shiyar"),
        ("Yusuf Darwish", "Yousef"),
    ],
)
def test_transliteration_variants_are_flagged(name, spelling):
    text = f"Then {spelling} ran."
    red = redactor([name])
    assert red.redact(text) == text
    assert flagged(red, text) == [(spelling, Reason.TRANSLITERATION, "witness")]


@pytest.mark.parametrize(
    "name, spelling", [("Ahmad Khaled", "Ahmed"), ("Samir Haddad", "Samira"),
                       ("سليمان داود", "سلمان"), ("Ayman Fares", "Aymna")]
)  # fmt: skip
def test_spellings_one_letter_from_a_name_of_five_letters_are_flagged(name, spelling):
    red = redactor([name])
    text = f"then {spelling} ran"
    assert red.redact(text) == text
    (candidate,) = red.scan(text).candidates
    assert candidate.reason in (
        Reason.NEAR_SPELLING,
        Reason.TRANSLITERATION,
        Reason.SAME_TERM,
    )


def test_short_names_are_not_flagged_one_letter_away():
    red = redactor(["Rami Nasr"])
    assert red.scan("the ram and the rams", "en").candidates == []


# --- contact and birth -----------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "+963 944 615 283",
        "+963-944-615-283",
        "00963944615283",
        "0944 615 283",
        "0944615283",
        "٠٩٤٤ ٦١٥ ٢٨٣",
        "+٩٦٣٩٤٤٦١٥٢٨٣",
        "944615283",
        "0944\u200b615\u200c283",
    ],
)
def test_the_witness_phone_number_is_redacted_in_any_format(written):
    red = redactor(contact="+963-944-615-283")
    text = f"Call me on {written}, after six."
    assert red.redact(text) == "Call me on [contact], after six."
    assert red.redact(f"اتصلوا على {written}", "ar") == "اتصلوا على [وسيلة اتصال]"


@pytest.mark.parametrize(
    "written",
    ["ypoch@proton.example", "YPOCH@Proton.Example", "ypoch [at] proton [dot] example",
     "ypoch＠proton.example"],
)  # fmt: skip
def test_the_witness_email_is_redacted_in_any_format(written):
    red = redactor(contact="ypoch@proton.example")
    assert red.redact(f"Write to {written} today") == "Write to [contact] today"


def test_other_phone_numbers_and_emails_are_flagged():
    red = redactor(contact="+963-944-615-283")
    text = "My brother's number is 0933 702 164 and his mail hassan@example.org."
    assert red.redact(text) == text
    assert [(c.reason, text[c.start : c.end]) for c in red.scan(text).candidates] == [
        (Reason.PHONE, "0933 702 164"),
        (Reason.EMAIL, "hassan@example.org"),
    ]


@pytest.mark.parametrize(
    "text, redacted",
    [
        ("I was born in 1968 in Banias.", "I was born in [year of birth] in Banias."),
        ("I am 57; my son, 5 years old, hid.", "I am [age]; my son, 5 years old, hid."),
        ("I am fifty-seven years old.", "I am [age] years old."),
        ("He is 57 years old.", "He is [age] years old."),
        ("He is 40 years old.", "He is 40 years old."),
        ("In 1968 we moved.", "In 1968 we moved."),
    ],
)  # fmt: skip
def test_the_birth_year_and_age_are_redacted_where_the_text_states_them(text, redacted):
    red = redactor(birth_year=1968, reference_years=(2025,))
    assert red.redact(text) == redacted


@pytest.mark.parametrize(
    "text, redacted",
    [
        ("ولدت عام ١٩٦٨ في بانياس", "ولدت عام [سنة الميلاد] في بانياس"),
        ("عمري ٥٧ سنة", "عمري [العمر] سنة"),
        ("أنا من مواليد 68", "أنا من مواليد [سنة الميلاد]"),
        ("عمري سبعة وخمسين سنة", "عمري [العمر] سنة"),
    ],
)
def test_the_birth_year_and_age_are_redacted_in_arabic(text, redacted):
    red = redactor(birth_year=1968, reference_years=(2025,))
    assert red.redact(text, "ar") == redacted


# --- decisions -------------------------------------------------------------


def test_decisions_keep_or_redact_one_occurrence_and_last_across_renders():
    text = "They shot at me, على الطريق. Later علي said it. علي came."
    red = redactor(["Ali Haidar", "علي حيدر"])
    first, second, third = red.scan(text, "ar").candidates
    decided = redactor(
        ["Ali Haidar", "علي حيدر"],
        decisions={first.key: False, third.key: True},
    )
    scan = decided.scan(text, "ar")
    assert [c.decision for c in scan.candidates] == [False, None, True]
    assert decided.redact(text, "ar") == (
        f"They shot at me, على الطريق. Later علي said it. {W} came."
    )
    # The same text rendered again: the same keys.
    assert [c.key for c in red.scan(text, "ar").candidates] == [
        first.key,
        second.key,
        third.key,
    ]
    # Changed words around an occurrence ask again.
    changed = text.replace("Later", "Then")
    assert second.key not in {c.key for c in red.scan(changed, "ar").candidates}


def test_a_kept_word_is_still_flagged_once_decisions_are_gone():
    red = redactor(["Said Khoury"], decisions={})
    assert red.scan("He said so.").undecided == 1


def test_recorded_on_gives_the_age():
    # Born 1968, recorded 2025: 56 or 57.
    red = redactor(birth_year=1968, reference_years=(datetime.date(2025, 3, 1).year,))
    assert red.redact("He was 56 years old.") == "He was [age] years old."


def test_an_obfuscated_email_after_the_word_at_is_the_witness_s():
    red = redactor(contact="zv.ridge@tutamail.example")
    text = "Reach me at zv.ridge [at] tutamail [dot] example."
    assert red.redact(text) == "Reach me at [contact]."
    assert red.scan(text).candidates == []


def test_an_age_right_after_a_birth_year_is_an_age():
    red = redactor(birth_year=1931, reference_years=(2025,))
    assert red.redact("I was born in 1931; I am 94.") == (
        "I was born in [year of birth]; I am [age]."
    )
    assert red.redact("ولدت عام ١٩٣١ وعمري ٩٤ سنة.", "ar") == (
        "ولدت عام [سنة الميلاد] وعمري [العمر] سنة."
    )


@pytest.mark.parametrize(
    "name, text",
    [
        ("Rasha Khalil", "They entered Ras al-Nabaa."),
        ("Georges Khoury", "Nobody was hurt on our street."),
        ("Fouad Haddad", "I showed my identity card."),
        ("Muhsen Daoud", "We buried the dead."),
        ("Tarek Sabbagh", "During the night there was shooting."),
        ("Kamal Nasr", "A group came into our street."),
    ],
)
def test_ordinary_words_are_not_taken_for_transliterations(name, text):
    assert redactor([name]).scan(text).candidates == []


def test_the_index_check_sees_a_name_hyphenated_across_a_line_break():
    red = redactor()
    assert red.identifying("It was Ay-\nman who ran.") == {"name"}
    assert red.identifying("It was [W-7K3QX] who ran.") == set()
