"""Arabic and English analysis through the real index,
/api/search/ and the search page."""

import pickle

import pytest
from django.core.management import call_command
from haystack import connections
from haystack.backends.whoosh_backend import WhooshSearchBackend
from haystack.query import SearchQuerySet
from whoosh.analysis import StemFilter

from search.analysis import text_analyzer
from tests import factories
from tests.markers import committed_db

pytestmark = committed_db


def found(client_for, user, query):
    response = client_for(user).get("/api/search/", {"q": query, "page_size": 100})
    assert response.status_code == 200, response.content
    return {result["id"] for result in response.json()["results"]}


def excerpts(client_for, user, query):
    response = client_for(user).get("/api/search/", {"q": query})
    assert response.status_code == 200, response.content
    return [result["excerpt"] for result in response.json()["results"]]


def assert_group_finds(client_for, user, queries, expected):
    """Every query of the group finds exactly the expected testimonies."""
    wanted = {testimony.public_id for testimony in expected}
    answers = {query: found(client_for, user, query) for query in queries}
    assert answers == dict.fromkeys(queries, wanted)


def arabic(narrative, **kwargs):
    """An Arabic testimony tagged with an event type whose name is no word
    of the tests' queries (the document carries the tags' names)."""
    kwargs.setdefault("event_types", ("threat",))
    return factories.testimony(narrative=narrative, language="ar", **kwargs)


@pytest.mark.usefixtures("each_engine")
def test_a_verb_with_or_without_vowels_or_clitics_finds_the_same(
    researcher, client_for
):
    expected = [
        arabic("وقتلوا ابن عمي أمام البيت ثم رحلوا."),
        arabic("قُتِلَ الرجال الثلاثة في الساحة عند الظهر."),
        arabic("سمعنا أنهم قتلوا جارنا في الصباح."),
        arabic("قـتـل أخي وهو عائد من العمل."),  # tatweel
    ]
    arabic("نهبوا المحلات وأحرقوا السيارات في الشارع.")
    factories.testimony(
        narrative="They killed my neighbour in the street.", event_types=()
    )
    assert_group_finds(
        client_for, researcher, ["قتل", "قُتِلَ", "وقتلوا", "قتلوا"], expected
    )


@pytest.mark.usefixtures("each_engine")
def test_banias_in_either_script_and_any_spelling(coast, researcher, client_for):
    expected = [
        factories.testimony(
            narrative="Gunmen came to our street and took my neighbour away.",
            places=[coast["banias"]],
        ),
        arabic("دخل المسلحون الحي في الصباح الباكر.", places=[coast["banias"]]),
        # A place under Banias: its document names Banias as well.
        arabic("أحرقوا البيوت في حارتنا.", places=[coast["hai-al-kusour"]]),
    ]
    factories.testimony(narrative="Shelling in Jableh.", places=[coast["jableh"]])
    assert_group_finds(
        client_for, researcher, ["بانياس", "Banias", "Baniyas", "Bāniyās"], expected
    )


@pytest.mark.usefixtures("each_engine")
def test_latin_diacritics_fold_in_text_and_query(researcher, client_for):
    """Bāniyās in a narrative meets Baniyas and the reverse."""
    marked = factories.testimony(narrative="We fled Bāniyās on foot at night.")
    plain = factories.testimony(narrative="We fled Baniyas by car at dawn.")
    decomposed = factories.testimony(narrative="Ba\u0304niya\u0304s was burning.")
    every = {marked.public_id, plain.public_id, decomposed.public_id}
    assert found(client_for, researcher, "Baniyas") == every
    assert found(client_for, researcher, "Bāniyās") == every
    assert found(client_for, researcher, "BANIYAS") == every


@pytest.mark.usefixtures("each_engine")
def test_kusour_with_or_without_vowels_or_designator(coast, researcher, client_for):
    expected = [
        arabic("كنا في القصور عندما بدأ إطلاق النار."),
        arabic("دخلوا حيّ القُصور من جهة البحر."),
        arabic("هربنا من البيت مع الجيران.", places=[coast["hai-al-kusour"]]),
    ]
    arabic("دخلوا الحي الشمالي في الليل.")
    assert_group_finds(
        client_for, researcher, ["القصور", "القُصور", "حي القصور"], expected
    )


@pytest.mark.usefixtures("each_engine")
def test_hamza_on_alef_is_optional(researcher, client_for):
    expected = [
        arabic("شاهدنا الإعدام الميداني من النافذة."),
        arabic("كانت عملية اعدام أمام الجامع."),
        arabic("هددوهم بالإعدام إن لم يخرجوا."),
    ]
    arabic("اعتقلوا الشبان وأخذوهم إلى الحاجز.")
    assert_group_finds(client_for, researcher, ["إعدام", "اعدام", "الإعدام"], expected)


@pytest.mark.usefixtures("each_engine")
def test_taa_marbuta_and_haa_meet(researcher, client_for):
    expected = [
        arabic("اختبأنا في المدرسة ثلاثة أيام."),
        arabic("نمنا في مدرسه القرية."),
        arabic("والمدرسة كانت مليئة بالعائلات."),
    ]
    arabic("اختبأنا في الجامع حتى الصباح.")
    assert_group_finds(client_for, researcher, ["مدرسة", "مدرسه", "المدرسة"], expected)


@pytest.mark.usefixtures("each_engine")
def test_jableh_is_not_the_mountain(researcher, client_for):
    """Snowball would stem جبلة (the town) to جبل (mountain)."""
    town = arabic("وصلنا إلى جبلة بعد منتصف الليل.")
    with_clitic = arabic("كنا نعيش بجبلة قبل الأحداث.")
    mountain = arabic("هربنا إلى الجبل ونمنا بين الأشجار.")
    in_jableh = {town.public_id, with_clitic.public_id}
    assert found(client_for, researcher, "جبلة") == in_jableh
    assert found(client_for, researcher, "الجبل") == {mountain.public_id}


@pytest.mark.usefixtures("each_engine")
def test_mixed_text_finds_both_languages(researcher, client_for):
    mixed = factories.testimony(
        narrative="The checkpoint at the bridge (الحاجز) was closed all day.",
        translations={"ar": "كان الحاجز عند الجسر مغلقاً طوال اليوم."},
    )
    assert found(client_for, researcher, "checkpoints") == {mixed.public_id}
    assert found(client_for, researcher, "حاجز") == {mixed.public_id}
    assert found(client_for, researcher, "بالجسر") == {mixed.public_id}


@pytest.mark.usefixtures("each_engine")
def test_tartus_in_any_spelling_through_the_place_hierarchy(
    gazetteer, researcher, client_for
):
    """A testimony's document names its places, their ancestors and all
    their known spellings (search_indexes), so a tagged testimony is found
    by any of them, including through a place under Tartus."""
    from testimonies.models import Place

    tartus = Place.objects.get(slug="tartus")
    old_city = Place.objects.get(slug="tartus-old-city")
    expected = [
        factories.testimony(
            narrative="My brother was taken at a port.", places=[tartus]
        ),
        arabic("أخذوا أخي من الميناء.", places=[old_city]),
    ]
    arabic("أخذوا أخي من الحاجز.")
    assert_group_finds(client_for, researcher, ["Tartus", "Tartous", "طرطوس"], expected)


# Highlighting


@pytest.mark.usefixtures("each_engine")
def test_api_marks_a_plain_word_for_a_query_with_vowels(researcher, client_for):
    arabic("قتل جارنا أمام البيت.")
    (excerpt,) = excerpts(client_for, researcher, "قُتِلَ")
    assert '<mark class="match term0">قتل</mark>' in excerpt


@pytest.mark.usefixtures("each_engine")
def test_api_marks_a_vowelled_word_for_a_plain_query(researcher, client_for):
    arabic("قُتِلَ جارنا أمام البيت، ثم وقتلوا أخاه.")
    (excerpt,) = excerpts(client_for, researcher, "قتل")
    assert '<mark class="match term0">قُتِلَ</mark>' in excerpt
    assert '">وقتلوا</mark>' in excerpt
    assert excerpt.count("<mark") == 2


@pytest.mark.usefixtures("each_engine")
def test_api_marks_arabic_in_a_translation(researcher, client_for):
    factories.testimony(
        narrative="They searched every house in the street.",
        translations={"ar": "فتّشوا كل البيوت في الشارع بحثاً عن السلاح."},
    )
    (excerpt,) = excerpts(client_for, researcher, "سلاح")
    assert '<mark class="match term0">السلاح</mark>' in excerpt


@pytest.mark.usefixtures("each_engine")
def test_search_page_marks_arabic_matches(researcher, client_for):
    arabic("شاهدنا الإعدام الميداني من النافذة.")
    response = client_for(researcher).get("/search/", {"q": "اعدام"})
    assert response.status_code == 200
    assert '<mark class="match term0">الإعدام</mark>' in response.content.decode()


def test_haystack_highlighting_uses_the_arabic_analysis(search_index):
    arabic("قُتِلَ جارنا أمام البيت.")
    (result,) = SearchQuerySet().filter(content="قتل").highlight()
    assert '<em class="match term0">قُتِلَ</em>' in result.highlighted["text"][0]


# The analyzer in the schema


@pytest.mark.parametrize(
    "spellings",
    [
        "مدرسة مدرسه المدرسة المدرسه والمدرسة بالمدرسة للمدرسة",
        "قرية القرية القريه بالقرية",
        "عسكرية العسكرية",
        "منطقة المنطقة منطقه المنطقه",
        "مجزرة المجزرة مجزره مَجْزَرَة",
        "إعدام اعدام الإعدام إعداماً إعدامات الإعدامات",
        "جثة الجثة جثه",
        "مستشفى المستشفى مستشفي",
        "قتل قُتِلَ قتلوا وقتلوا فقتلوا قتلهم",
        "Bāniyās Baniyas BANIYAS Ba\u0304niya\u0304s",
        "٢٠٢٥ 2025",
    ],
)
def test_spellings_of_one_word_share_one_term(spellings):
    analyzer = text_analyzer()
    terms = {token.text for token in analyzer(spellings)}
    assert len(terms) == 1, terms


def test_function_words_and_designators_are_not_terms():
    analyzer = text_analyzer()
    assert [t.text for t in analyzer("في حي القصور من الشارع إلى البحر")] == [
        "قصور",
        "شارع",
        "بحر",
    ]


def test_the_index_text_field_uses_the_arabic_analysis(search_index):
    stored = search_index.index.refresh().schema["text"].analyzer
    assert stored == text_analyzer()
    assert pickle.loads(pickle.dumps(stored)) == stored  # noqa: S301 - our own


def test_rebuild_index_recreates_an_index_of_another_analysis(search_index):
    """An index built with haystack's StemmingAnalyzer is recreated by
    rebuild_index, and the Arabic testimony indexed anew is found."""
    fields = connections["default"].get_unified_index().all_searchfields()
    _name, stock = WhooshSearchBackend.build_schema(search_index, fields)
    assert isinstance(stock["text"].analyzer.items[-1], StemFilter)
    search_index.index = search_index.storage.create_index(stock)
    assert search_index._schema_changed()

    testimony = arabic("قُتِلَ الرجال في الساحة.")
    call_command("rebuild_index", interactive=False, verbosity=0)

    assert not search_index._schema_changed()
    stored = search_index.index.refresh().schema["text"].analyzer
    assert stored == text_analyzer()
    assert [int(r.pk) for r in SearchQuerySet().filter(content="وقتلوا")] == [
        testimony.pk
    ]
