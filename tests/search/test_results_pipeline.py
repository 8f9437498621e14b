"""A page of search results serves each excerpt from the redacted text its
index document stores, and only after the database said, for that request,
that the reader may see the testimony and that the document was made from
what the database holds now. A withdrawal the index never heard of hides
the result and its stored text; a change the index never heard of (the
sealed text, the witness's identity) sends the result back to the database
to be opened and redacted again; an excerpt never reads more than the
public redaction."""

import pytest
from haystack.query import SearchQuerySet

from search.documents import document_texts
from testimonies.models import Testimony, WitnessIdentity
from testimonies.vault.identity import _identity_seal, identity_store
from tests import factories
from tests.markers import committed_db
from tests.search.test_generalised_text import (  # noqa: F401 - a fixture
    FINER,
    NARRATIVE,
    approve_generalised,
    kusour,
)

pytestmark = committed_db

WORD = "quinceorchard"


def api(client, **params) -> dict:
    answer = client.get("/api/search/", params)
    assert answer.status_code == 200
    return answer.json()


def stored_text(testimony) -> str:
    (result,) = SearchQuerySet().models(Testimony).filter(django_id=testimony.pk)
    return result.text


@pytest.fixture
def indexed(search_index):
    testimony = factories.testimony(
        witness_name="Layla Haddad",
        narrative=f"Gunmen came at night; we hid in the {WORD} behind the mill.",
    )
    return testimony


def test_the_excerpt_is_the_stored_redacted_text_with_the_match_marked(
    indexed, client_for, users
):
    assert document_texts(stored_text(indexed))[0].startswith("Gunmen came")
    for role in ("anonymous", "researcher"):
        (hit,) = api(client_for(users[role]), q=WORD)["results"]
        assert f">{WORD}</mark>" in hit["excerpt"]
        assert "Gunmen came at night" in hit["excerpt"]


@pytest.mark.parametrize("role", ["anonymous", "researcher", "documenter"])
def test_a_withdrawn_testimony_s_stored_text_is_never_served(
    indexed, client_for, users, role
):
    factories.withdrawal_unheard(indexed)
    # Still in the index, with its redacted text stored and matching...
    assert WORD in stored_text(indexed)
    client = client_for(users[role])
    answer = api(client, q=WORD)
    # ...but the database check leaves it out: no result, no count, no text.
    assert answer["results"] == [] and answer["count"] == 0
    assert "behind the mill" not in str(answer)
    page = client.get("/search/", {"q": WORD}).content.decode()
    assert indexed.public_id not in page
    assert "behind the mill" not in page


def test_a_name_added_to_the_identity_unheard_is_redacted_in_the_excerpt(
    search_index, client_for, users
):
    testimony = factories.testimony(
        witness_name="Layla Haddad",
        narrative=f"Um Rami stayed in the {WORD} with the children all night.",
    )
    assert "Um Rami" in stored_text(testimony)  # not a known name yet
    # The witness's identity gains the name the text calls her by, in a
    # write the index is not told of: its stored text still holds the name.
    WitnessIdentity.objects.filter(witness=testimony.witness).update(
        sealed=_identity_seal(
            witness=testimony.witness, name="Layla Haddad", name_variants=["Um Rami"]
        )
    )
    assert "Um Rami" in stored_text(testimony)
    for role in ("anonymous", "researcher"):
        answer = api(client_for(users[role]), q=WORD)
        (hit,) = answer["results"]
        assert "Um Rami" not in hit["excerpt"]
        assert testimony.witness.pseudonym in hit["excerpt"]


def test_the_excerpt_follows_the_identity_once_the_index_heard_of_it(
    search_index, client_for, users
):
    testimony = factories.testimony(
        witness_name="Layla Haddad",
        narrative=f"Um Rami stayed in the {WORD} with the children all night.",
    )
    identity_store(
        witness=testimony.witness, name="Layla Haddad", name_variants=["Um Rami"]
    )
    assert "Um Rami" not in stored_text(testimony)
    (hit,) = api(client_for(users["anonymous"]), q=WORD)["results"]
    assert "Um Rami" not in hit["excerpt"]


def test_an_excerpt_is_never_more_precise_than_the_public_redaction(
    search_index,
    kusour,  # noqa: F811 - the fixture imported above
    documenter,
    moderator,
    client_for,
    users,
):
    """Researchers read the recorded places and dates on the testimony's page;
    an excerpt, whoever reads it, is cut from the text as the public reads it
    (the text that was searched)."""
    testimony = factories.testimony(
        status="draft",
        recorded_by=documenter,
        narrative=f"{NARRATIVE} We hid in the {WORD}.",
        places=[kusour],
    )
    approve_generalised(testimony, documenter, moderator, client_for, "place_month")
    for user in (users["anonymous"], users["researcher"], moderator):
        (hit,) = api(client_for(user), q=WORD)["results"]
        assert "[a neighbourhood of Banias]" in hit["excerpt"] or (
            "[March 2025]" in hit["excerpt"]
        )
        for finer in FINER:
            assert finer not in hit["excerpt"]


def test_the_engine_gives_where_the_query_s_words_stand_in_the_stored_text(
    search_index,
):
    """The page's excerpts are marked from the index's postings: the text is
    not analysed again."""
    testimony = factories.testimony(
        narrative="قُتِلَ جارنا أمام البيت، ثم وقتلوا أخاه.", language="ar"
    )
    (result,) = (
        SearchQuerySet().models(Testimony).filter(content="قتل").highlight(spans=True)
    )
    assert int(result.pk) == testimony.pk
    marked = [result.text[start:end] for start, end, _term in result.match_spans]
    # In the narrative, then in the event type's Arabic name (killing, قتل).
    assert marked == ["قُتِلَ", "وقتلوا", "قتل"]
    assert len({term for _start, _end, term in result.match_spans}) == 1


def test_an_excerpt_from_spans_marks_escapes_and_keeps_to_the_readable_texts():
    from search.documents import TEXT_END, TEXTS_END
    from search.excerpts import excerpt_from_spans

    narrative = "They came at dawn. " * 30 + "The <b>mill</b> burned & fell."
    document = f"{narrative}{TEXT_END}\nSummary.{TEXT_END}{TEXTS_END}\nW-ABCDE\nmill\n"
    mill = narrative.index("mill")
    tagged = document.rindex("mill")
    excerpt = excerpt_from_spans(
        document, [(mill, mill + 4, "mill"), (tagged, tagged + 4, "mill")]
    )
    assert '&lt;b&gt;<mark class="match term0">mill</mark>&lt;/b&gt;' in excerpt
    assert "&amp; fell." in excerpt and excerpt.startswith("…")
    assert excerpt.count("<mark") == 1 and "W-ABCDE" not in excerpt
    assert len(excerpt) < 400
    # Only a match outside the readable texts: the opening of the narrative.
    opening = excerpt_from_spans(document, [(tagged, tagged + 4, "mill")])
    assert opening.startswith("They came at dawn.") and "<mark" not in opening


def test_a_withdrawal_between_the_recheck_and_the_card_read_leaves_it_out(coast, users):
    """The page's cards are read through the policy too: a testimony
    withdrawn after its re-check (in the same instant) is not shown."""
    from search.selectors import _hit_rows
    from testimonies.consent.services.consent import consent_withdraw

    kept = factories.testimony(narrative="Kept account from Banias.")
    gone = factories.testimony(narrative="Account withdrawn in between.")
    consent_withdraw(testimony=gone, scopes=None, reason="afraid", obtained_by="t")
    for role in ("anonymous", "researcher"):
        assert set(_hit_rows(users[role], [kept.pk, gone.pk])) == {kept.pk}
