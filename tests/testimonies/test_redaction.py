import pytest

from testimonies.redaction.redactor import Redactor, redacted_texts
from testimonies.textnorm import fold
from testimonies.vault.identity import identity_store
from tests import factories


def redactor(names=("Ayman Fares",), persons=()):
    return Redactor(
        witness_names=list(names),
        witness_placeholder="W-7K3QX",
        persons_named=list(persons),
    )


def test_full_name_and_its_parts_become_the_pseudonym():
    # (Not Ayman Fares: "fares" is an English word, flagged rather than
    # replaced; see test_redaction_spellings.)
    red = redactor(["Ayman Haddad"])
    text = "I am Ayman Haddad. They shouted 'Ayman!' and HADDAD was on the wall."
    assert red.redact(text) == (
        "I am [W-7K3QX]. They shouted '[W-7K3QX]!' and [W-7K3QX] was on the wall."
    )


def test_matching_ignores_case_and_latin_diacritics():
    assert redactor(["Ayman Fares"]).redact("áyman farès spoke") == "[W-7K3QX] spoke"


def test_arabic_letter_variants_and_diacritics_are_matched():
    red = redactor(["أيمن فارس"])
    # alef with hamza written bare, with harakat, with tatweel
    for spelling in ["ايمن فارس", "أَيْمَن فارِس", "أيـمن فارس"]:
        assert (
            red.redact(f"قال {spelling} إنهم جاؤوا", "ar") == "قال [W-7K3QX] إنهم جاؤوا"
        )


def test_taa_marbuta_and_alef_maqsura_are_folded():
    red = redactor(["فاطمة موسى"])
    assert red.redact("رأيت فاطمه موسي في الشارع", "ar") == "رأيت [W-7K3QX] في الشارع"


def test_attached_arabic_conjunction_is_seen_through():
    # (Not علي: also a common word, flagged; see test_redaction_spellings.)
    red = redactor(["سمير حيدر"])
    assert red.redact("ذهبت وسمير إلى البحر", "ar") == "ذهبت و[W-7K3QX] إلى البحر"


def test_words_containing_a_name_are_left_alone():
    assert redactor(["Ali Haidar"]).redact("Alison and Ali") == "Alison and [W-7K3QX]"


def test_persons_named_get_stable_numbered_placeholders():
    red = redactor(persons=["Hassan Darwish", "Mona Saleh"])
    text = "Hassan Darwish and Mona Saleh hid us. Later Hassan came back."
    assert red.redact(text) == (
        "[person 1] and [person 2] hid us. Later [person 1] came back."
    )
    assert red.redact("حسن", "ar") == "حسن"  # a different script is a different name
    assert red.redact("Mona", "ar") == "[شخص 2]"


def test_a_person_spelt_in_two_scripts_keeps_one_number():
    red = redactor(persons=["Mona Saleh", ["Samir", "سمير"]])
    assert red.redact("Samir came back.") == "[person 2] came back."
    assert red.redact("عاد سمير وحده.", "ar") == "عاد [شخص 2] وحده."


def test_particles_alone_are_not_redacted():
    red = redactor(["Abu Ali Al Hassan"])
    assert red.redact("Abu said al-hassan") == "Abu said al-[W-7K3QX]"


def test_fold_is_the_matching_form():
    assert fold("Bāniyās") == "baniyas"
    assert fold("بانِياس") == "بانياس"
    assert fold("إدلب") == fold("ادلب")


@pytest.mark.django_db
def test_testimony_texts_are_redacted_everywhere():
    testimony = factories.testimony(
        witness_name="Ayman Fares",
        narrative="My name is Ayman Fares. Hassan Darwish hid me.",
        translations={"ar": "اسمي أيمن فارس. حسن درويش خبأني."},
        persons_named=["Hassan Darwish", "حسن درويش"],
    )
    testimony.summary = "Ayman Fares was robbed."
    identity_store(
        witness=testimony.witness, name="Ayman Fares", name_variants=["أيمن فارس"]
    )
    texts = redacted_texts(testimony)
    pseudonym = testimony.witness.pseudonym
    assert texts.narrative == f"My name is [{pseudonym}]. [person 1] hid me."
    assert texts.summary == f"[{pseudonym}] was robbed."
    assert texts.translations["ar"] == f"اسمي [{pseudonym}]. [شخص 2] خبأني."


@pytest.mark.django_db
def test_first_and_family_name_alone_are_redacted_in_both_scripts():
    testimony = factories.testimony(
        witness_name="Ahmad Suleiman",
        narrative="AHMAD ran. Later Súleimán came home; aḥmad hid.",
        translations={"ar": "ركض أحمد. ثم عاد سليمان وأحمد معه."},
    )
    identity_store(
        witness=testimony.witness,
        name="Ahmad Suleiman",
        name_variants=["أحمد سليمان"],
    )
    texts = redacted_texts(testimony)
    w = f"[{testimony.witness.pseudonym}]"
    assert texts.narrative == f"{w} ran. Later {w} came home; {w} hid."
    # The attached و stays, the name after it goes.
    assert texts.translations["ar"] == f"ركض {w}. ثم عاد {w} و{w} معه."


def test_the_article_after_the_preposition_lam_is_seen_through():
    red = redactor(["علي الزعبي"])
    # ل + الزعبي is written للزعبي; الزعبي alone and with و as well.
    assert red.redact("قلت للزعبي والزعبي", "ar") == "قلت ل[W-7K3QX] و[W-7K3QX]"


def test_a_name_split_across_a_line_break_is_one_name():
    red = redactor(["Ayman Fares"])
    assert red.redact("I am Ayman\n  Fares.") == "I am [W-7K3QX]."


def test_marked_words_get_one_placeholder_a_person_throughout():
    red = Redactor(
        witness_names=["Ayman Fares"],
        witness_placeholder="W-7K3QX",
        persons_named=["Hassan Darwish"],
        marks=[
            {"spellings": ["Abu Samer", "أبو سامر"], "person": None},
            {"spellings": ["the Darwish house"], "person": 1},
            {"spellings": ["Umm Ali"], "person": "witness"},
            {"spellings": ["Hassoun"], "person": None},
        ],
    )
    text = "Abu Samer met Hassoun at the Darwish house; ABU SAMER left. Umm Ali wept."
    assert red.redact(text) == (
        "[person 2] met [person 3] at [person 1]; [person 2] left. [W-7K3QX] wept."
    )
    assert red.redact("وصل وأبو سامر", "ar") == "وصل و[شخص 2]"
    # A mark is matched whole: its words alone are not redacted.
    assert red.redact("Samer's house") == "Samer's house"


def test_a_mark_of_a_person_past_the_list_still_redacts():
    red = Redactor(
        witness_names=[],
        witness_placeholder="W-7K3QX",
        persons_named=["Mona"],
        marks=[{"spellings": ["Hassoun"], "person": 7}],
    )
    assert red.redact("Hassoun and Mona") == "[person 2] and [person 1]"


def test_replacements_say_where_each_name_is_in_the_original():
    red = redactor(["Ayman Fares"], persons=["Samir"])
    text = "Áyman and SAMIR."
    found = red.replacements(text)
    assert [(text[r.start : r.end], r.placeholder) for r in found] == [
        ("Áyman", "[W-7K3QX]"),
        ("SAMIR", "[person 1]"),
    ]
    original, redacted = red.segments(text)
    assert [(s.text, s.placeholder) for s in original] == [
        ("Áyman", "[W-7K3QX]"),
        (" and ", ""),
        ("SAMIR", "[person 1]"),
        (".", ""),
    ]
    assert "".join(s.text for s in redacted) == "[W-7K3QX] and [person 1]."
    assert [s.text for s in redacted if s.placeholder] == ["[W-7K3QX]", "[person 1]"]


def test_spans_keep_arabic_diacritics_inside_the_name():
    red = redactor(["سمير"])
    text = "قال سميرٌ ذلك"
    (found,) = red.replacements(text, "ar")
    assert text[found.start : found.end] == "سميرٌ"


@pytest.mark.django_db
def test_marks_are_redacted_across_narrative_translation_and_summary():
    testimony = factories.testimony(
        witness_name="Ayman Fares",
        narrative="Abu Samer drove us out. Hassan Darwish stayed.",
        translations={"ar": "أخرجنا أبو سامر. بقي حسن درويش."},
        persons_named=[["Hassan Darwish", "حسن درويش"]],
    )
    testimony.summary = "Abu Samer and Hassan."
    testimony.redaction_marks = [
        {"spellings": ["Abu Samer", "أبو سامر"], "person": None}
    ]
    texts = redacted_texts(testimony)
    assert texts.narrative == "[person 2] drove us out. [person 1] stayed."
    assert texts.translations["ar"] == "أخرجنا [شخص 2]. بقي [شخص 1]."
    assert texts.summary == "[person 2] and [person 1]."
