"""Accountability packages: a signed BagIt bag made from the demo archive,
that verifies, catches every changed byte, holds only what witnesses
consented to give accountability bodies and names what it left out.

The gazetteer and the demo archive are built once for the module; each
test's own writes roll back. The tests whose writes would outlive that (an
attachment's work after commit, a search over committed testimonies) are
in test_accountability_package_writes.py."""

import datetime
import json
import subprocess
import sys
from pathlib import Path

import bagit
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from archive.audit import entry_digest
from archive.models import AuditEntry
from testimonies.accountability import signing
from testimonies.accountability.services import (
    PackageRefused,
    package_digest,
    package_export,
)
from testimonies.accountability.verification import package_verify
from testimonies.audit_actions import AuditAction
from testimonies.consent.services.consent import consent_record, consent_withdraw
from testimonies.models import ConsentRecord, Testimony
from tests import factories

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "testimonies.jsonl"
IIIM = "International, Impartial and Independent Mechanism (IIIM)"

pytestmark = [pytest.mark.django_db, pytest.mark.index_kept]


def demo_imported() -> dict:
    """The demo archive, imported as `make run` imports it."""
    call_command("import_testimonies", str(SEEDS), verbosity=0)
    return demo_testimonies()


def demo_testimonies() -> dict:
    return {t.external_id: t for t in Testimony.objects.select_related("witness")}


@pytest.fixture(scope="module")
def demo_once(gazetteer_once, built_once):
    """The demo archive (on Syria's gazetteer), built once: each test's own
    writes (consent records, audit entries) roll back, and its packages go
    to its own folder."""

    def build():
        factories.user_in("documenter")
        return demo_imported()

    return built_once(build)


@pytest.fixture
def demo(demo_once):
    """The demo archive's testimonies, read again for each test: one a test
    changed (its consent read and kept) is not the next test's."""
    return demo_testimonies()


def every_id():
    return list(
        Testimony.objects.order_by("external_id").values_list("public_id", flat=True)
    )


def make(tmp_path, moderator, *, ids=None, recipient=IIIM, name="package"):
    return package_export(
        recipient=recipient,
        public_ids=every_id() if ids is None else ids,
        destination=tmp_path / name,
        actor=moderator,
    )


def package_json(result):
    return json.loads((result.path / "data" / "package.json").read_text("utf-8"))


def all_text(path: Path) -> str:
    return "\n".join(
        file.read_bytes().decode("utf-8", "replace")
        for file in sorted(path.rglob("*"))
        if file.is_file()
    )


def grant(testimony, **terms):
    current = testimony.current_consent()
    return consent_record(
        testimony=testimony,
        scopes={**current.scopes, **terms.pop("scopes", {})},
        method="oral",
        obtained_by="test documenter",
        obtained_on=datetime.date(2025, 5, 1),
        **terms,
    )


@pytest.mark.django_db
@pytest.mark.slow
def test_a_package_of_the_demo_archive_verifies_and_passes_bagits_own_validation(
    demo, moderator, tmp_path
):
    result = make(tmp_path, moderator)

    assert package_verify(result.path).ok
    call_command("verify_package", str(result.path))
    # bagit alone, as a recipient without this software checks it.
    bag = bagit.Bag(str(result.path))
    bag.validate(fast=False)
    assert set(bag.algorithms) >= {"sha256", "sha512"}
    for name in ("manifest", "tagmanifest"):
        for algorithm in ("sha256", "sha512"):
            assert (result.path / f"{name}-{algorithm}.txt").is_file()
    assert bag.info["Archive-Signing-Key-Fingerprint"] == signing.fingerprint()
    # ...and its command line, as the README tells a recipient.
    checked = subprocess.run(
        [sys.executable, "-m", "bagit", "--validate", str(result.path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "is valid" in checked.stderr
    readme = (result.path / "README.txt").read_text("utf-8")
    assert "python -m bagit --validate" in readme
    assert "هذا المجلّد حزمة" in readme


@pytest.mark.django_db
def test_only_testimonies_consented_to_accountability_go_and_the_rest_are_listed(
    demo, moderator, tmp_path
):
    result = make(tmp_path, moderator)
    manifest = package_json(result)

    consented = {
        t.public_id
        for t in demo.values()
        if t.current_consent().accountability and t.status == "approved"
    }
    assert set(manifest["included"]) == consented
    assert len(consented) >= 5
    reasons = {item["id"]: item["reason"] for item in manifest["left_out"]}
    assert set(reasons) | consented == set(every_id())
    assert reasons[demo["seed-0002"].public_id] == "scope_missing"
    # Consented, but a word in it waits for a moderator's decision.
    assert reasons[demo["seed-0001"].public_id] == "not_released"
    assert reasons[demo["seed-0011"].public_id] == "withdrawn"
    assert reasons[demo["seed-0035"].public_id] == "scope_missing"
    # Left out with the reason in both languages, and nothing of the content.
    left = manifest["left_out"][0]
    assert set(left) == {"id", "reason", "reason_en", "reason_ar"}
    folders = {p.name for p in (result.path / "data" / "testimonies").iterdir()}
    assert folders == consented
    everything = all_text(result.path)
    for external_id in ("seed-0002", "seed-0011", "seed-0009"):
        left_out = demo[external_id]
        assert left_out.narrative[:60] not in everything
        assert left_out.witness.pseudonym not in everything


@pytest.mark.django_db
def test_an_embargoed_or_withdrawn_accountability_consent_is_left_out(
    demo, moderator, tmp_path
):
    embargoed, withdrawn = demo["seed-0020"], demo["seed-0003"]
    grant(embargoed, embargo_until=datetime.date(2099, 1, 1))
    consent_withdraw(
        testimony=withdrawn,
        scopes=["accountability"],
        reason="The witness asked.",
        obtained_by="test",
    )
    ids = [embargoed.public_id, withdrawn.public_id, demo["seed-0013"].public_id]
    result = make(tmp_path, moderator, ids=[*ids, "W-NOPE1"])

    reasons = {i["id"]: i["reason"] for i in package_json(result)["left_out"]}
    assert reasons == {
        embargoed.public_id: "embargoed",
        withdrawn.public_id: "withdrawn",
        "W-NOPE1": "not_found",
    }


@pytest.mark.django_db
def test_nothing_to_package_is_refused_and_leaves_nothing_behind(
    demo, moderator, tmp_path
):
    with pytest.raises(PackageRefused) as refused:
        make(tmp_path, moderator, ids=[demo["seed-0002"].public_id])
    assert refused.value.code == "nothing_to_package"
    assert list(tmp_path.iterdir()) == []
    assert not AuditEntry.objects.filter(action=AuditAction.PACKAGE_EXPORTED).exists()


@pytest.mark.django_db
def test_a_package_is_never_written_over_anything(demo, moderator, tmp_path):
    (tmp_path / "package").mkdir()
    with pytest.raises(PackageRefused):
        make(tmp_path, moderator)


@pytest.mark.django_db
def test_no_identity_and_no_original_wording_unless_the_consent_names_that_body(
    demo, moderator, tmp_path
):
    witness_says = demo["seed-0003"]
    name, contact = "Rasha Khalil", "+963 900 000 103"

    plain = make(tmp_path, moderator, ids=[witness_says.public_id], name="plain")
    folder = plain.path / "data" / "testimonies" / witness_says.public_id
    assert not (folder / "identity.json").exists()
    assert name not in all_text(plain.path)
    assert contact not in all_text(plain.path)
    record = json.loads((folder / "testimony.json").read_text("utf-8"))
    assert record["text_version"] == "redacted"
    assert record["identity_included"] is False

    grant(witness_says, identity_recipients=f"UN Commission of Inquiry\n{IIIM}")
    # Another body, or part of a named one, gets nothing more.
    for other in ("UN", "A national prosecutor"):
        package = make(
            tmp_path, moderator, ids=[witness_says.public_id], recipient=other,
            name=f"other-{other}",
        )  # fmt: skip
        assert name not in all_text(package.path)
        assert not list(package.path.rglob("identity.json"))

    # The body named, spelt with other spacing and case.
    named = make(
        tmp_path, moderator, ids=[witness_says.public_id],
        recipient="  international, impartial and independent   mechanism (iiim)",
        name="named",
    )  # fmt: skip
    folder = named.path / "data" / "testimonies" / witness_says.public_id
    identity = json.loads((folder / "identity.json").read_text("utf-8"))
    assert identity["name"] == name
    assert identity["contact"] == contact
    record = json.loads((folder / "testimony.json").read_text("utf-8"))
    assert record["text_version"] == "original"
    assert record["narrative"] == witness_says.narrative
    assert package_verify(named.path).ok


@pytest.mark.django_db
def test_naming_a_body_needs_consent_to_share_with_accountability_bodies(demo):
    testimony = demo["seed-0002"]
    with pytest.raises(ValidationError) as refused:
        grant(testimony, identity_recipients=IIIM)
    assert "identity_recipients" in refused.value.error_dict


@pytest.mark.django_db
def test_withdrawing_accountability_withdraws_the_bodies_named(demo):
    testimony = demo["seed-0003"]
    grant(testimony, identity_recipients=IIIM)
    record = consent_withdraw(
        testimony=testimony,
        scopes=["accountability"],
        reason="The witness asked.",
        obtained_by="test",
    )
    assert record.identity_recipients == ""
    assert not record.names_identity_recipient(IIIM)


@pytest.mark.django_db
def test_consent_records_audit_entries_and_the_chain_head_travel_and_verify(
    demo, moderator, tmp_path
):
    testimony = demo["seed-0013"]
    result = make(tmp_path, moderator, ids=[testimony.public_id])
    folder = result.path / "data" / "testimonies" / testimony.public_id

    consent = json.loads((folder / "consent.json").read_text("utf-8"))
    assert [r["id"] for r in consent["records"]] == list(
        ConsentRecord.objects.filter(testimony=testimony)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    entries = [
        json.loads(line)
        for line in (result.path / "data/audit/entries.jsonl").read_text().splitlines()
    ]
    assert entries
    assert {e["target"] for e in entries} == {testimony.public_id}
    head = json.loads((result.path / "data/audit/head.json").read_text())["head"]
    # The head is the chain's latest entry before the export was recorded.
    export = AuditEntry.objects.get(action=AuditAction.PACKAGE_EXPORTED)
    assert head["digest"] == export.previous_digest
    assert entry_digest(AuditEntry.objects.get(pk=head["id"])) == head["digest"]
    # Where the chain stood, not what its last entry (maybe about another
    # testimony) says.
    assert set(head) == {"id", "at", "digest"}


@pytest.mark.django_db
def test_every_export_is_audited_with_who_for_whom_which_ids_and_the_digest(
    demo, moderator, tmp_path
):
    result = make(tmp_path, moderator)
    entry = AuditEntry.objects.get(action=AuditAction.PACKAGE_EXPORTED)
    detail = json.loads(entry.detail)
    assert entry.actor == moderator
    assert detail["for"] == IIIM
    assert detail["ids"] == package_json(result)["included"]
    assert detail["sha256"] == result.digest == package_digest(result.path)
    assert package_verify(result.path).digest == result.digest


@pytest.fixture
def packaged(demo, moderator, tmp_path):
    return make(tmp_path, moderator, ids=[demo["seed-0003"].public_id,
                                          demo["seed-0013"].public_id])  # fmt: skip


def _flip(path: Path) -> bytes:
    data = path.read_bytes()
    changed = bytes([data[0] ^ 0x01]) + data[1:]
    path.write_bytes(changed)
    return data


@pytest.mark.django_db
def test_one_changed_byte_in_any_file_is_caught_and_the_file_named(packaged):
    bag = packaged.path
    files = sorted(p for p in bag.rglob("*") if p.is_file())
    assert len(files) > 12
    for file in files:
        name = str(file.relative_to(bag))
        original = _flip(file)
        try:
            result = package_verify(bag)
        finally:
            file.write_bytes(original)
        assert not result.ok, name
        if name.startswith("tagmanifest-") and not name.endswith(".sig"):
            # A tag manifest no manifest covers: its signature fails.
            assert result.failed_file == f"{name}.sig", name
            assert name in result.failure
        else:
            assert result.failed_file == name, (name, result.failure)
    assert package_verify(bag).ok


@pytest.mark.django_db
def test_verify_package_names_the_first_failure_and_exits_non_zero(packaged):
    signature = packaged.path / "tagmanifest-sha256.txt.sig"
    _flip(signature)
    with pytest.raises(CommandError, match="tagmanifest-sha256.txt.sig"):
        call_command("verify_package", str(packaged.path))


@pytest.mark.django_db
def test_a_package_checked_against_another_key_fails(packaged, tmp_path, settings):
    other = tmp_path / "other.pem"
    settings.ARCHIVE_SIGNING_KEY = signing.signing_key_generate()
    other.write_text(signing.public_key_pem())
    result = package_verify(packaged.path, public_key_pem=other.read_bytes())
    assert not result.ok
    assert result.failed_file == "tagmanifest-sha256.txt.sig"


@pytest.mark.django_db
def test_a_recomputed_audit_entry_that_does_not_match_is_named(packaged):
    """An entry changed and the bag remade around it (manifests and all) is
    still caught by its digest: only the signature would say which came
    from the archive, and the audit check stands on its own."""
    entries = packaged.path / "data/audit/entries.jsonl"
    lines = entries.read_text("utf-8").splitlines()
    first = json.loads(lines[0])
    first["detail"] = "changed"
    lines[0] = json.dumps(first, ensure_ascii=False, sort_keys=True)
    entries.write_text("\n".join(lines) + "\n", "utf-8")
    bag = bagit.Bag(str(packaged.path))
    bag.save(manifests=True)
    result = package_verify(packaged.path)
    assert not result.ok
    # The tag manifests changed: the signature fails first.
    assert result.failed_file == "tagmanifest-sha256.txt.sig"


@pytest.mark.django_db
def test_the_command_refuses_anyone_but_a_moderator(demo, researcher, tmp_path):
    with pytest.raises(CommandError, match="not a moderator"):
        call_command(
            "export_package", "--for", IIIM, "--by", "researcher",
            "--ids", demo["seed-0003"].public_id, str(tmp_path / "out"),
        )  # fmt: skip
    assert not (tmp_path / "out").exists()


@pytest.mark.django_db
def test_the_command_takes_ids_then_out(demo, moderator, tmp_path):
    ids = f"{demo['seed-0003'].public_id},{demo['seed-0013'].public_id}"
    call_command(
        "export_package", "--for", IIIM, "--by", "moderator", "--ids", ids,
        demo["seed-0002"].public_id, str(tmp_path / "out"),
    )  # fmt: skip
    manifest = json.loads((tmp_path / "out/data/package.json").read_text("utf-8"))
    assert manifest["asked_for"]["ids"] == [
        demo["seed-0003"].public_id, demo["seed-0013"].public_id,
        demo["seed-0002"].public_id,
    ]  # fmt: skip
    assert len(manifest["included"]) == 2


@pytest.mark.django_db
def test_the_command_refuses_a_testimony_id_taken_for_out(demo, moderator):
    with pytest.raises(CommandError, match="give OUT after the ids"):
        call_command(
            "export_package", "--for", IIIM, "--by", "moderator",
            "--ids", demo["seed-0003"].public_id, demo["seed-0013"].public_id,
        )  # fmt: skip


@pytest.mark.django_db
def test_a_withdrawals_typed_reason_travels_only_with_the_original_wording(
    demo, moderator, tmp_path
):
    testimony = demo["seed-0003"]
    consent_withdraw(
        testimony=testimony,
        scopes=["public"],
        reason="Rasha's brother Omar was threatened.",
        obtained_by="test",
    )
    plain = make(tmp_path, moderator, ids=[testimony.public_id], name="plain")
    assert "Omar" not in all_text(plain.path)
    consent = json.loads(
        (
            plain.path / "data/testimonies" / testimony.public_id / "consent.json"
        ).read_text("utf-8")
    )
    assert consent["records"][-1]["reason_withheld"] is True

    grant(testimony, identity_recipients=IIIM)
    named = make(tmp_path, moderator, ids=[testimony.public_id], name="named")
    assert "Rasha's brother Omar was threatened." in all_text(named.path)


@pytest.mark.django_db
def test_choosing_what_a_package_holds_costs_the_same_queries_for_more_testimonies(
    demo,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from testimonies.accountability.selectors import package_selection

    ids = every_id()
    with CaptureQueriesContext(connection) as few:
        package_selection(recipient=IIIM, public_ids=ids[: len(ids) // 2])
    with CaptureQueriesContext(connection) as many:
        package_selection(recipient=IIIM, public_ids=ids)
    assert len(many) == len(few), [q["sql"][:200] for q in many.captured_queries]
