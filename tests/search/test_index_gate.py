"""The search index's second line of defence: it refuses any document with
a flagged word still undecided, or in which redaction still finds a name,
a contact or a birth statement (a template printing the original text, say).
The refusal is logged with the public id and the kind of reason only, and
the testimony stays out of search until someone resolves it."""

import logging
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from haystack.query import SearchQuerySet

from testimonies.models import Testimony
from testimonies.redaction.marking import redaction_candidates_decide
from testimonies.redaction.redactor import redaction_candidates
from testimonies.vault.identity import identity_store
from tests import factories
from tests.markers import committed_db

pytestmark = committed_db


def indexed_pks():
    return {int(result.pk) for result in SearchQuerySet().all()}


def with_words_to_decide(**kwargs):
    testimony = factories.testimony(
        witness_name="Ali Haidar",
        narrative="Gunmen came at night and took the men.",
        translations={"ar": "جلسنا على الأرض حتى الصباح."},
        **kwargs,
    )
    identity_store(
        witness=testimony.witness, name="Ali Haidar", name_variants=["علي حيدر"]
    )
    return testimony


def test_a_testimony_with_a_word_to_decide_stays_out_of_search(caplog, moderator):
    clean = factories.testimony(narrative="Gunmen came at night and took the men.")
    with caplog.at_level(logging.WARNING, logger="search"):
        held = with_words_to_decide(status="submitted")
    assert clean.pk in indexed_pks()
    assert held.pk not in indexed_pks()
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert refusals, caplog.text
    assert held.public_id in refusals[-1]
    assert "undecided words" in refusals[-1]
    for secret in ("Ali", "Haidar", "على", "علي"):
        assert secret not in caplog.text

    # Resolved, it goes in again.
    (row,) = redaction_candidates(Testimony.objects.get(pk=held.pk))
    redaction_candidates_decide(
        testimony=held, keys=[row.candidate.key], redact=False, user=moderator
    )
    assert held.pk in indexed_pks()


def test_a_rebuild_refuses_it_too(caplog):
    held = with_words_to_decide(status="submitted")
    clean = factories.testimony()
    call_command("rebuild_index", "--workers", "1", verbosity=0)
    assert clean.pk in indexed_pks()
    assert held.pk not in indexed_pks()


@pytest.fixture
def printing_the_original(settings, tmp_path):
    """The document template printing the original narrative, as a slip in
    a template would."""
    source = (
        Path(django_settings.BASE_DIR)
        / "templates/search/indexes/testimonies/testimony_text.txt"
    )
    broken = tmp_path / "broken" / "search" / "indexes" / "testimonies"
    broken.mkdir(parents=True)
    (broken / "testimony_text.txt").write_text(
        "{{ object.narrative }}\n" + source.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    templates = [dict(settings.TEMPLATES[0])]
    templates[0]["DIRS"] = [tmp_path / "broken", *templates[0]["DIRS"]]
    settings.TEMPLATES = templates


@pytest.mark.parametrize(
    "narrative, kind",
    [
        ("I am Quorvith Delmarrak and they came.", "name"),
        ("Call me on +963 944 615 283 if needed.", "contact"),
        ("I was born in 1938 in Banias.", "birth"),
    ],
)
def test_a_document_that_still_names_the_witness_is_refused(
    printing_the_original, caplog, narrative, kind
):
    with caplog.at_level(logging.WARNING, logger="search"):
        testimony = factories.testimony(witness_name="Quorvith Delmarrak")
        identity_store(
            witness=testimony.witness,
            name="Quorvith Delmarrak",
            contact="+963-944-615-283",
            birth_year=1938,
        )
        testimony.narrative = narrative
        testimony.save()
    assert testimony.pk not in indexed_pks()
    refusal = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert testimony.public_id in refusal[-1] and kind in refusal[-1]
    # The public id is random letters and digits: "944" may stand in it.
    logged = caplog.text.replace(testimony.public_id, "<id>")
    for secret in ("Quorvith", "Delmarrak", "944", "1938"):
        assert secret not in logged
