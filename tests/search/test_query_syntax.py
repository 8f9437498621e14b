"""The query syntax (search.query_syntax, docs/api.md#query-syntax): the
same on the page and in the API, in Arabic and in English."""

import pytest

from search.query_syntax import (
    AllOf,
    AnyOf,
    Phrase,
    Prefix,
    Term,
    Without,
    query_parse,
)
from tests import factories

# The accounts and their index are built once for the module (its tests
# only read them): tests that write are in test_query_syntax_places.py.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.index_kept,
    pytest.mark.usefixtures("each_engine"),
]


@pytest.fixture(scope="module")
def accounts(built_once):
    return built_once(_accounts)


def _accounts():
    coast = factories.coast()

    # Place names and event types are part of each document's text: these
    # are chosen to share no word with the queries.
    def T(**kwargs):
        return factories.testimony(**{"event_types": ("threat",), **kwargs})

    with factories.together():
        return {
            "banias-killing": T(
                narrative="Gunmen came to Banias and the killing went on all night.",
                places=[coast["banias"]],
            ),
            "banias-market": T(
                narrative="In Banias the old market burned; nobody was hurt.",
                places=[coast["banias"]],
                event_types=("arson",),
            ),
            "jableh-killing": T(
                narrative="In Jableh the killing started at dawn near the market.",
                places=[coast["jableh"]],
            ),
            "tartus": T(
                narrative=(
                    "A checkpoint in Tartus detained my brother; the market was old."
                ),
                places=[coast["tartus"]],
                event_types=("arbitrary-detention",),
            ),
            "ar-banias-killing": T(
                narrative="في بانياس دخل المسلحون البيوت وبدأ القتل في الليل.",
                language="ar",
                places=[coast["banias"]],
            ),
            "ar-jableh-market": T(
                narrative="في جبلة احترق السوق القديم ولم يصب أحد.",
                language="ar",
                places=[coast["jableh"]],
                event_types=("arson",),
            ),
            "ar-tartus": T(
                narrative="اعتقلوا أخي على حاجز في طرطوس، أو هكذا قيل لنا.",
                language="ar",
                places=[coast["tartus"]],
                event_types=("arbitrary-detention",),
            ),
        }


def found(client, accounts, q, **params) -> set[str]:
    """The accounts the API finds for `q`; the page lists the same."""
    answer = client.get("/api/search/", {"q": q, **params})
    assert answer.status_code == 200, answer.content
    by_id = {t.public_id: key for key, t in accounts.items()}
    from_api = {by_id[r["id"]] for r in answer.json()["results"]}
    page = client.get("/search/", {"q": q, **params}).content.decode()
    from_page = {key for key, t in accounts.items() if t.public_id in page}
    assert from_page == from_api, q
    return from_api


ENGLISH = [
    ("killing", {"banias-killing", "jableh-killing"}),
    ("killing market", {"jableh-killing"}),
    ("killing AND market", {"jableh-killing"}),
    ("banias OR jableh", {
        "banias-killing", "banias-market", "jableh-killing", "ar-banias-killing",
        "ar-jableh-market",
    }),
    ("market NOT killing", {"banias-market", "tartus"}),
    ("market -killing", {"banias-market", "tartus"}),
    ('"old market"', {"banias-market"}),
    ('market -"old market"', {"jableh-killing", "tartus"}),
    ("Ban*", {"banias-killing", "banias-market", "ar-banias-killing"}),
    ("checkp*", {"tartus"}),
    ("(killing OR burned) market", {"banias-market", "jableh-killing"}),
    ("NOT market", {"banias-killing", "ar-banias-killing", "ar-jableh-market",
                    "ar-tartus"}),
]  # fmt: skip

ARABIC = [
    ("القتل", {"ar-banias-killing"}),
    ("السوق القديم", {"ar-jableh-market"}),
    ("السوق OR حاجز", {"ar-jableh-market", "ar-tartus"}),
    ("الليل NOT القتل", set()),
    ("الليل -السوق", {"ar-banias-killing"}),
    ('"السوق القديم"', {"ar-jableh-market"}),
    ('"القديم السوق"', set()),
    ("احتر*", {"ar-jableh-market"}),
    ("إحتر*", {"ar-jableh-market"}),
    ("(حاجز OR السوق) -احترق", {"ar-tartus"}),
    # و, أو and ليس are words, not operators: "A أو B" asks for both.
    ("حاجز أو السوق", set()),
    ("حاجز أو طرطوس", {"ar-tartus"}),
    ("السوق ليس القديم", {"ar-jableh-market"}),
    ("السوق و القديم", {"ar-jableh-market"}),
]


@pytest.mark.parametrize("q, expected", ENGLISH, ids=[q for q, _ in ENGLISH])
def test_each_form_of_the_syntax_in_english(accounts, client, q, expected):
    assert found(client, accounts, q) == expected


@pytest.mark.parametrize("q, expected", ARABIC, ids=[q for q, _ in ARABIC])
def test_each_form_of_the_syntax_in_arabic(accounts, client, q, expected):
    assert found(client, accounts, q) == expected


def test_lowercase_operators_are_words(accounts, client):
    # "or" and "not" are English stop words: dropped, never logic.
    assert found(client, accounts, "killing or market") == {"jableh-killing"}
    assert found(client, accounts, "market not killing") == {"jableh-killing"}


def test_a_prefix_is_folded_like_every_word(accounts, client):
    assert found(client, accounts, "BANI*") == found(client, accounts, "bani*")
    assert found(client, accounts, "Bāni*") == {
        "banias-killing", "banias-market", "ar-banias-killing"
    }  # fmt: skip


UNPARSABLE = [
    ('"old market', "quotation mark"),
    ("(banias OR jableh", "parenthesis"),
    ("banias OR", "operator"),
    ("ba*", "3 letters"),
    ("market)", "parenthesis"),
    ("()", "parenthesis"),
]


@pytest.mark.parametrize("q, why", UNPARSABLE, ids=[q for q, _ in UNPARSABLE])
def test_an_unparsable_query_is_searched_as_plain_words_with_a_note(
    accounts, client, q, why
):
    answer = client.get("/api/search/", {"q": q})
    assert answer.status_code == 200
    note = answer.json()["note"]
    assert why in note and "plain words" in note
    page = client.get("/search/", {"q": q}).content.decode()
    assert "searched as plain words" in page


def test_the_note_is_in_arabic_for_an_arabic_reader(accounts, client):
    answer = client.get("/api/search/", {"q": '"السوق'}, HTTP_ACCEPT_LANGUAGE="ar")
    assert "كلماتٍ عادية" in answer.json()["note"]


def test_a_parsed_query_has_no_note(accounts, client):
    assert client.get("/api/search/", {"q": "banias OR jableh"}).json()["note"] is None


def test_the_page_shows_the_syntax_beside_the_box(client, db):
    page = client.get("/search/").content.decode()
    assert 'id="search-syntax"' in page and "OR" in page and "prefix" in page
    page = client.get("/ar/search/").content.decode()
    assert 'id="search-syntax"' in page and "OR" in page and "بادئة" in page


def test_the_tree():
    assert query_parse("a b").tree == AllOf((Term("a"), Term("b")))
    assert query_parse("a OR b c").tree == AnyOf(
        (Term("a"), AllOf((Term("b"), Term("c"))))
    )
    assert query_parse('-"x y" NOT z').tree == AllOf(
        (Without(Phrase("x y")), Without(Term("z")))
    )
    assert query_parse("Bāni*").tree == Prefix("bani")
    assert query_parse("(a OR b) AND c").tree == AllOf(
        (AnyOf((Term("a"), Term("b"))), Term("c"))
    )
    assert query_parse("أو و ليس").tree == AllOf((Term("أو"), Term("و"), Term("ليس")))
    assert query_parse("!!! a").tree == Term("a")


HOSTILE = [
    "(" * 140 + "banias" + ")" * 140,
    "NOT " * 70 + "banias",
    "- - -",
    "*",
    "***",
    '""',
    '"   "',
    "OR OR",
    "AND",
    "((",
    "))((",
    "-(banias)",
    'banias -""',
    "banias\u200cOR jableh",
    "ban\u00ad*",
    "NOT",
    "\\",
    "banias:killing",
    "text:banias",
    "[a TO z]",
    "banias^3",
    "banias~2",
    "'banias'",
]


@pytest.mark.parametrize("q", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_are_answered_never_an_error(accounts, client, q):
    answer = client.get("/api/search/", {"q": q})
    assert answer.status_code == 200, answer.content
    assert client.get("/search/", {"q": q}).status_code == 200


def test_a_prefix_in_presentation_forms_is_folded(accounts, client):
    # Arabic presentation forms, as text copied from a PDF gives them.
    assert found(client, accounts, "ﺍﺣﺘﺮ*") == {"ar-jableh-market"}


@pytest.mark.parametrize(
    "q, operator",
    [("حاجز أو طرطوس", "OR"), ("السوق ليس القديم", "NOT"), ("killing or market", "OR"),
     ("market not killing", "NOT")],
)  # fmt: skip
def test_a_word_that_reads_as_an_operator_gets_a_note(accounts, client, q, operator):
    note = client.get("/api/search/", {"q": q}).json()["note"]
    assert f"to mean {operator}, write it in Latin capitals" in note
    page = client.get("/ar/search/", {"q": q}).content.decode()
    assert f"لتعني {operator} اكتبها" in page
