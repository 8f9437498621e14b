"""import_testimonies (docs/import-format.md): all or nothing, lines named,
re-import updates, consent appended and never re-granted over a withdrawal."""

import copy
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from archive.models import AuditEntry
from testimonies.models import ConsentRecord, Place, Testimony, Witness, WitnessIdentity
from testimonies.vault.identity import identity_read
from tests.markers import committed_db

# The gazetteer is loaded once for the module; each test's import rolls
# back (and, its transaction never committing, never reaches the index).
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.index_kept,
    pytest.mark.usefixtures("gazetteer_once"),
]

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "testimonies.jsonl"

GOOD = {
    "external_id": "test-0001",
    "witness": {"name": "Ayman Fares", "birth_year": 1962, "gender": "male",
                "community": "alawite", "contact": "+963 900 000 000"},
    "language": "en",
    "narrative": "I am Ayman Fares. Gunmen came to Hai Al Kusour in Banias.",
    "translations": {"ar": "أنا أيمن فارس."},
    "recorded_on": "2025-03-20",
    "incident": {"start": "2025-03-07", "end": "2025-03-09", "precision": "day"},
    "places": ["Baniyas", {"name": "Hai Al Kusour", "name_ar": "حي القصور",
                           "parent": "Banias", "kind": "neighbourhood"}],
    "communities": ["alawite"],
    "event_types": ["killing", "looting"],
    "persons_named": ["Samir"],
    "status": "approved",
    "consent": {"archive": True, "researchers": True, "public": True,
                "method": "oral", "obtained_by": "documenter",
                "obtained_on": "2025-03-20"},
}  # fmt: skip


def line(**changes):
    row = copy.deepcopy(GOOD)
    for key, value in changes.items():
        if value is None:
            row.pop(key, None)
        else:
            row[key] = value
    return json.dumps(row, ensure_ascii=False)


def write(tmp_path, *lines):
    path = tmp_path / "import.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def run_import(path, *args):
    call_command("import_testimonies", path, *args)


@pytest.mark.django_db
def test_a_good_file_creates_testimony_witness_identity_and_consent(tmp_path):
    run_import(
        write(tmp_path, line(), line(external_id="test-0002", places=["Tartus"]))
    )
    testimony = Testimony.objects.get(external_id="test-0001")
    assert testimony.status == "approved"
    assert {p.slug for p in testimony.places.all()} >= {"banias"}
    kusour = testimony.places.get(kind="neighbourhood")
    assert kusour.parent.slug == "banias" and kusour.name_ar == "حي القصور"
    assert sorted(e.slug for e in testimony.event_types.all()) == ["killing", "looting"]
    assert testimony.consent_records.get().public is True
    assert identity_read(witness=testimony.witness).name == "Ayman Fares"
    assert Testimony.objects.get(external_id="test-0002").places.get().kind == "town"


@pytest.mark.django_db
def test_one_bad_line_writes_nothing_and_is_named(tmp_path, capsys):
    # A neighbourhood the gazetteer lacks: the good lines would create it.
    new_place = {"name": "Hai al-Mina", "name_ar": "حي الميناء", "parent": "Banias",
                 "kind": "neighbourhood"}  # fmt: skip
    bad = line(external_id="test-0002", recorded_on="20-03-2025")
    path = write(
        tmp_path,
        line(places=[new_place]),
        bad,
        line(external_id="test-0003", places=[new_place]),
    )
    with pytest.raises(CommandError):
        run_import(path)
    err = capsys.readouterr().err
    assert "line 2: recorded_on is not a valid date" in err
    assert "line 1" not in err and "line 3" not in err
    assert Testimony.objects.count() == 0
    assert Witness.objects.count() == WitnessIdentity.objects.count() == 0
    assert not Place.objects.filter(name="Hai al-Mina").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "one JSON object"),
        (line(witness={"birth_year": 1970}), "witness.name is required"),
        (line(language=None), "language must be one of"),
        (line(narrative="  "), "narrative is required"),
        (line(consent=None), "consent is required"),
        (line(consent={"archive": True, "method": "oral"}), "consent.obtained_on"),
        (line(places=["Atlantis"]), "unknown place 'Atlantis'"),
        (line(communities=["martian"]), "unknown communities: martian"),
        (line(event_types=["killing", "picnic"]), "unknown event_types: picnic"),
        (line(incident={"start": "2025-03-09", "end": "2025-03-07"}), "before"),
        (line(narative="typo"), "unknown field(s) in the testimony: narative"),
        (line(recorded_by="nobody"), "recorded_by: no user 'nobody'"),
        (line(status="withdrawn"), "status must be one of"),
    ],
)
def test_each_kind_of_bad_line_is_explained(tmp_path, capsys, bad_line, message):
    with pytest.raises(CommandError):
        run_import(write(tmp_path, line(external_id="fine"), bad_line))
    err = capsys.readouterr().err
    assert err.startswith("line 2: ") and message in err
    assert Testimony.objects.count() == 0


@pytest.mark.django_db
def test_errors_never_echo_the_witness_identity(tmp_path, capsys):
    bad = line(witness={"name": "Ayman Fares", "birth_year": 1066, "contact": 5})
    with pytest.raises(CommandError):
        run_import(write(tmp_path, bad))
    err = capsys.readouterr().err
    assert "Ayman" not in err and "1066" not in err


@pytest.mark.django_db
def test_duplicate_external_ids_in_one_file_are_refused(tmp_path, capsys):
    with pytest.raises(CommandError):
        run_import(write(tmp_path, line(), line()))
    assert (
        "line 2: external_id 'test-0001' already used on line 1"
        in capsys.readouterr().err
    )


@pytest.mark.django_db
def test_a_person_named_may_be_given_with_several_spellings(tmp_path, capsys):
    run_import(write(tmp_path, line(persons_named=["Samir", ["Hala", "هالة"]])))
    assert Testimony.objects.get().persons_named == ["Samir", ["Hala", "هالة"]]
    with pytest.raises(CommandError):
        run_import(write(tmp_path, line(persons_named=[["Hala", 7]])))
    assert "line 1: persons_named: each entry is a name or a list" in (
        capsys.readouterr().err
    )


@pytest.mark.django_db
def test_place_names_resolve_by_any_spelling(tmp_path):
    for spelling in ["Banias", "baniyas", "بانياس", "BANIAS"]:
        run_import(write(tmp_path, line(places=[spelling])))
        assert Testimony.objects.get().places.get().slug == "banias"


@pytest.mark.django_db
def test_a_plain_name_means_the_town_and_the_kind_names_the_governorate(tmp_path):
    run_import(write(tmp_path, line(places=["Tartus"])))
    assert Testimony.objects.get().places.get().kind == "town"
    run_import(write(tmp_path, line(places=["Tartus Governorate"])))
    assert Testimony.objects.get().places.get().kind == "governorate"
    run_import(write(tmp_path, line(places=["محافظة طرطوس"])))
    assert Testimony.objects.get().places.get().kind == "governorate"


@pytest.mark.django_db
def test_dry_run_checks_and_writes_nothing(tmp_path, capsys):
    run_import(write(tmp_path, line()), "--dry-run")
    assert "1 testimonies checked" in capsys.readouterr().out
    assert Testimony.objects.count() == 0


@pytest.mark.django_db
def test_reimport_updates_instead_of_duplicating(tmp_path):
    path = write(tmp_path, line())
    run_import(path)
    first = Testimony.objects.get()
    run_import(write(tmp_path, line(narrative="Corrected account in Banias.")))
    again = Testimony.objects.get()
    assert again.pk == first.pk and again.witness_id == first.witness_id
    assert again.narrative == "Corrected account in Banias."
    assert ConsentRecord.objects.count() == 1
    assert Place.objects.filter(name="Hai Al Kusour").count() == 1


@pytest.mark.django_db
def test_reimport_never_regrants_a_withdrawn_consent(tmp_path, capsys):
    path = write(tmp_path, line())
    run_import(path)
    testimony = Testimony.objects.get()
    call_command("withdraw_consent", testimony.public_id, reason="threatened")
    run_import(write(tmp_path, line(consent={**GOOD["consent"], "media": True})))
    assert "consent left as it is" in capsys.readouterr().err
    testimony.refresh_from_db()
    assert testimony.status == "withdrawn"
    assert testimony.current_consent().granted_scopes == []


@pytest.mark.django_db
def test_withdrawal_in_the_file_is_recorded_once(tmp_path):
    consent = {**GOOD["consent"], "withdrawal": {"on": "2025-05-01", "reason": "fear"}}
    path = write(tmp_path, line(consent=consent))
    run_import(path)
    run_import(path)
    testimony = Testimony.objects.get()
    assert [r.event for r in testimony.consent_records.order_by("pk")] == [
        "grant",
        "withdrawal",
    ]
    assert testimony.status == "withdrawn"


@pytest.mark.django_db
def test_witness_key_groups_testimonies_of_one_person(tmp_path):
    witness = {**GOOD["witness"], "witness_key": "family-7"}
    run_import(
        write(
            tmp_path,
            line(witness=witness),
            line(external_id="test-0002", witness=witness),
            line(external_id="test-0003"),
        )
    )
    assert Witness.objects.count() == 2
    assert "family-7" not in str(
        list(Witness.objects.values_list("key_digest", flat=True))
    )


@committed_db
def test_the_seeds_import_cleanly_and_twice_create_nothing_more():
    call_command("create_demo_accounts")
    call_command("import_testimonies", str(SEEDS))
    counts = (
        Testimony.objects.count(),
        Witness.objects.count(),
        ConsentRecord.objects.count(),
        Place.objects.count(),
    )
    assert counts[0] >= 32
    call_command("import_testimonies", str(SEEDS))
    assert counts == (
        Testimony.objects.count(),
        Witness.objects.count(),
        ConsentRecord.objects.count(),
        Place.objects.count(),
    )
    assert AuditEntry.objects.filter(action="imported").count() == 2


@pytest.mark.django_db
def test_an_approved_line_with_words_to_decide_lands_submitted_and_says_so(
    tmp_path, capsys
):
    """The release gate: the importing file cannot approve what a person
    must still decide (على beside a witness called علي, a transliteration)."""
    held = line(
        external_id="test-0002",
        witness={"name": "Ali Haidar", "name_variants": ["علي حيدر"]},
        narrative="Aly hid in the orchard while they searched.",
        translations={"ar": "جلسنا على الأرض."},
    )
    path = write(tmp_path, line(), held)
    run_import(path)
    out, err = capsys.readouterr()
    assert Testimony.objects.get(external_id="test-0001").status == "approved"
    testimony = Testimony.objects.get(external_id="test-0002")
    assert testimony.status == "submitted"
    assert (
        "line 2: imported as submitted, not approved: 2 flagged words need a "
        "person's decision" in err
    )
    assert f"Held for review (words to decide): line 2 ({testimony.public_id})" in out
    # Nothing of the words or the name is echoed.
    for secret in ("Ali", "Aly", "على", "علي", "Haidar"):
        assert secret not in out + err


@pytest.mark.django_db
def test_a_submitted_or_draft_line_with_words_to_decide_is_left_as_asked(
    tmp_path, capsys
):
    held = line(
        witness={"name": "Ali Haidar"},
        narrative="Aly hid in the orchard.",
        status="draft",
    )
    run_import(write(tmp_path, held))
    out, err = capsys.readouterr()
    assert Testimony.objects.get().status == "draft"
    assert "Held for review" not in out and "flagged" not in err


@pytest.mark.django_db
def test_a_re_import_of_an_approved_testimony_with_new_words_to_decide_is_held(
    tmp_path, capsys
):
    run_import(write(tmp_path, line()))
    changed = line(narrative="I am Ayman Fares. Aymen hid in the orchard.")
    run_import(write(tmp_path, changed))
    assert Testimony.objects.get().status == "submitted"
    assert "line 1: imported as submitted" in capsys.readouterr().err
