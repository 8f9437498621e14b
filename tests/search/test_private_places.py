"""Places that documenters add, and what suggestions may tell.

A place added for a testimony is named through that testimony's redaction
(a farm named after the witness), is private until a testimony that shows
it is visible, and goes when the last testimony using it is erased. The
place picker, "did you mean", `places_matched` and the place filter answer
only from what the asking user may see: for a word found only in hidden
testimonies or a place only hidden testimonies use, the answer is exactly
the one a word found nowhere gets."""

import datetime
import json

import pytest
from django.urls import reverse

from testimonies.consent.services.consent import consent_record
from testimonies.consent.services.erasure import testimony_erase
from testimonies.consent.services.review import testimony_approve
from testimonies.models import Place
from testimonies.recording.services import NewNeighbourhood, recording_when_where_save
from testimonies.vault.identity import identity_store
from tests import factories
from tests.markers import committed_db

pytestmark = committed_db


def add_place(testimony, parent, name, name_ar=""):
    """Tag `testimony` (a draft) with a place added as the recording form
    does, and return the place."""
    recording_when_where_save(
        testimony=testimony,
        incident_start=datetime.date(2025, 3, 7),
        incident_end=None,
        incident_precision="day",
        places=[parent],
        neighbourhood=NewNeighbourhood(name=name, name_ar=name_ar, parent=parent),
    )
    return testimony.places.get(kind="neighbourhood")


@pytest.fixture
def other_documenter(db):
    from django.contrib.auth.models import Group

    user = factories.UserFactory(username="other-documenter")
    user.groups.add(Group.objects.get(name="documenter"))
    return user


@pytest.fixture
def draft(coast, documenter):
    testimony = factories.testimony(
        status="draft",
        recorded_by=documenter,
        narrative="They burned the olive press of Zeitounia.",
        persons_named=["Samir Haddad"],
    )
    identity_store(
        witness=testimony.witness, name="Ayman Fares", name_variants=["أيمن فارس"]
    )
    return testimony


def test_a_new_place_is_named_through_the_testimonys_redaction(draft, coast):
    place = add_place(draft, coast["banias"], "Ayman Fares farm", "مزرعة أيمن فارس")
    pseudonym = draft.witness.pseudonym
    assert place.name == f"[{pseudonym}] farm"
    assert place.name_ar == f"مزرعة [{pseudonym}]"
    assert "ayman" not in place.slug and "fares" not in place.slug
    assert (place.added_by_documenter, place.added_for) == (True, draft)
    # Saving the step again keeps the one place.
    again = add_place(draft, coast["banias"], "Ayman Fares farm", "مزرعة أيمن فارس")
    assert again == place
    assert Place.objects.filter(parent=coast["banias"]).count() == 2  # + Kusour


def test_a_place_named_after_a_person_named_is_not_shared(draft, coast, documenter):
    place = add_place(draft, coast["banias"], "Samir Haddad's bakery")
    assert place.name == "[person 1]'s bakery"
    # Another account's "[person 1]" is someone else: its own place.
    other = factories.testimony(
        status="draft", recorded_by=documenter, persons_named=["Nour Saleh"]
    )
    theirs = add_place(other, coast["banias"], "Nour Saleh's bakery")
    assert theirs.name == "[person 1]'s bakery" and theirs != place


def test_an_imported_place_is_named_through_the_lines_redaction(
    coast, tmp_path, capsys
):
    from django.core.management import call_command

    line = {
        "external_id": "farm-1",
        "witness": {"name": "Ayman Fares", "name_variants": ["أيمن فارس"]},
        "language": "en",
        "narrative": "They came to the farm.",
        "recorded_on": "2025-03-10",
        "places": [
            {"name": "Ayman Fares farm", "name_ar": "مزرعة أيمن فارس",
             "parent": "Banias", "kind": "neighbourhood"}
        ],
        "consent": {"archive": True, "obtained_on": "2025-03-10", "method": "oral"},
    }  # fmt: skip
    path = tmp_path / "farm.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    call_command("import_testimonies", str(path))
    place = Place.objects.get(parent=coast["banias"], added_by_documenter=True)
    assert "Ayman" not in place.name and "أيمن" not in place.name_ar
    assert place.name.endswith("] farm")


@pytest.fixture
def hidden_place(draft, coast):
    """A place used only by a testimony still under review."""
    place = add_place(draft, coast["banias"], "Zeitounia", "الزيتونية")
    consent_record(
        testimony=draft,
        scopes={"archive": True, "researchers": True, "public": True},
        method="oral",
        obtained_by="test",
        obtained_on=datetime.date(2025, 3, 20),
    )
    draft.status = "submitted"
    draft.save()
    return place


def api(client, **params):
    response = client.get("/api/search/", params)
    # Errors come ASCII-escaped: compared as the text they hold.
    return response.status_code, json.dumps(response.json(), ensure_ascii=False)


def same_answer(client, hidden_word, unknown_word, **params):
    """The API's answers for the two words, each word blanked out."""
    hidden = api(client, **{k: v.replace("{}", hidden_word) for k, v in params.items()})
    unknown = api(
        client, **{k: v.replace("{}", unknown_word) for k, v in params.items()}
    )
    return (hidden[0], hidden[1].replace(hidden_word, "<w>")) == (
        unknown[0],
        unknown[1].replace(unknown_word, "<w>"),
    )


@pytest.mark.parametrize("role", ["anonymous", "researcher", "other-documenter"])
def test_a_hidden_place_gets_the_answer_of_a_place_that_does_not_exist(
    hidden_place, users, other_documenter, client_for, role
):
    users["other-documenter"] = other_documenter
    client = client_for(users[role])
    for hidden, unknown in (("Zeitounia", "Zeitounib"), ("الزيتونية", "الزيتونيب")):
        assert same_answer(client, hidden, unknown, q="{}")
        assert same_answer(client, hidden, unknown, q="olive {}")
        assert same_answer(client, hidden, unknown, place="{}")
    assert same_answer(client, hidden_place.slug, "no-such-place", place="{}")
    status, body = api(client, q="Zeitounia")
    assert status == 200 and json.loads(body)["places_matched"] == []


def test_the_documenter_who_added_it_and_moderators_are_offered_it(
    hidden_place, documenter, moderator, client_for
):
    for user in (documenter, moderator):
        status, body = api(client_for(user), q="Zeitounia")
        (match,) = json.loads(body)["places_matched"]
        assert match["places"] == [hidden_place.slug]


def picker(client, query):
    response = client.get(reverse("testimonies:place-search"), {"q": query})
    assert response.status_code == 200
    return [result["slug"] for result in response.json()["results"]]


def test_the_place_picker_offers_it_only_to_those_who_may_know_it(
    hidden_place, documenter, other_documenter, moderator, client_for
):
    assert hidden_place.slug in picker(client_for(documenter), "Zeitoun")
    assert hidden_place.slug in picker(client_for(moderator), "الزيتون")
    assert picker(client_for(other_documenter), "Zeitoun") == []
    assert picker(client_for(other_documenter), "الزيتون") == []


def test_another_documenter_cannot_tag_a_draft_with_it(
    hidden_place, other_documenter, client_for
):
    theirs = factories.testimony(status="draft", recorded_by=other_documenter)
    url = reverse("testimonies:record-step", args=[theirs.public_id, "when-where"])
    client = client_for(other_documenter)
    for posted in ({"places": hidden_place.slug}, {"place_query": "Zeitounia"}):
        response = client.post(
            url, {"incident_precision": "day", "go": "stay", **posted}
        )
        assert response.status_code == 200  # the form again, with its error
        assert not theirs.places.exists()


def test_it_becomes_public_with_a_testimony_that_shows_it(
    hidden_place, draft, moderator, anonymous, client_for
):
    testimony_approve(testimony=draft, reviewer=moderator)
    status, body = api(client_for(anonymous), q="Zeitounia")
    (match,) = json.loads(body)["places_matched"]
    assert match["places"] == [hidden_place.slug]


def test_a_public_view_raised_above_it_keeps_it_from_the_public(
    hidden_place, draft, moderator, anonymous, researcher, client_for
):
    from testimonies.redaction.reidentification import GENERALISATIONS

    testimony_approve(
        testimony=draft, reviewer=moderator, generalisation=GENERALISATIONS["place"]
    )
    assert same_answer(client_for(anonymous), "Zeitounia", "Zeitounib", q="{}")
    status, body = api(client_for(researcher), q="Zeitounia")
    assert json.loads(body)["places_matched"][0]["places"] == [hidden_place.slug]


def test_erasure_removes_a_place_no_other_testimony_uses(hidden_place, draft):
    testimony_erase(testimony=draft, reason="asked", erased_by_label="t")
    assert not Place.objects.filter(pk=hidden_place.pk).exists()


def test_erasure_keeps_a_place_another_testimony_uses(hidden_place, draft, coast):
    other = factories.testimony(places=[hidden_place])
    testimony_erase(testimony=draft, reason="asked", erased_by_label="t")
    assert Place.objects.filter(pk=hidden_place.pk).exists()
    testimony_erase(testimony=other, reason="asked", erased_by_label="t")
    assert not Place.objects.filter(pk=hidden_place.pk).exists()
    # The gazetteer's own places always stay.
    assert Place.objects.filter(pk=coast["banias"].pk).exists()


@pytest.fixture
def harvest(coast, documenter):
    """A word common in public testimonies, and two near words: one only in
    a testimony under review (seen by its documenter and moderators), one
    only in a testimony for researchers."""
    with factories.together():
        for n in range(2):
            factories.testimony(narrative=f"The harvest was lost, field {n}.")
        factories.testimony(
            narrative="The harvast was burned.",
            status="submitted",
            recorded_by=documenter,
        )
        factories.testimony(
            narrative="The harvist was burned.",
            consent={"archive": True, "researchers": True},
        )


@pytest.mark.parametrize("role", ["anonymous", "researcher", "other-documenter"])
def test_did_you_mean_answers_a_hidden_word_as_a_word_found_nowhere(
    harvest, users, other_documenter, client_for, role
):
    users["other-documenter"] = other_documenter
    client = client_for(users[role])
    assert same_answer(client, "harvast", "harvust", q="{}")
    assert same_answer(client, "harvast", "harvust", q="the {} burned")
    assert json.loads(api(client, q="harvast")[1])["suggestion"] == "harvest"
    if role == "anonymous":
        assert same_answer(client, "harvist", "harvust", q="{}")
    else:
        # Researchers (and documenters) see the researchers-only account.
        answer = json.loads(api(client, q="harvist")[1])
        assert answer["count"] == 1 and answer["suggestion"] is None
