"""Accountability packages whose tests' writes outlive a rolled-back
transaction: attachments (their work after commit) and the command's
search filters (over committed, indexed testimonies). Each test builds its
own data; the rest of the package tests share theirs
(test_accountability_package.py)."""

import json

import pytest
from django.core.management import call_command

from testimonies.accountability.verification import package_verify
from testimonies.attachments.services import attachment_add
from tests import factories
from tests.markers import committed_db
from tests.testimonies.media_samples import (  # noqa: F401 (fixture)
    empty_media,
    photo_bytes,
    upload,
)
from tests.testimonies.test_accountability_package import (
    IIIM,
    _flip,
    demo_imported,
    grant,
    make,
)


@pytest.fixture
def demo(gazetteer, documenter):
    """The demo archive, imported for this test."""
    return demo_imported()


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_media")
def test_attachment_originals_travel_decrypted_with_their_custody(
    demo, moderator, tmp_path, django_capture_on_commit_callbacks
):
    testimony = demo["seed-0013"]
    # The originals travel only to a body the witness named.
    grant(testimony, identity_recipients=IIIM)
    data = photo_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        attachment = attachment_add(
            testimony=testimony, upload=upload(data), by=moderator
        )
    result = make(tmp_path, moderator, ids=[testimony.public_id])
    folder = result.path / "data" / "testimonies" / testimony.public_id

    original = folder / "attachments" / attachment.public_id / "original.jpg"
    assert original.read_bytes() == data
    custody = json.loads((folder / "custody.json").read_text("utf-8"))
    assert [(c["attachment"], c["event"], c["sha256"]) for c in custody] == [
        (attachment.public_id, "received", attachment.sha256)
    ]
    entries = (result.path / "data/audit/entries.jsonl").read_text("utf-8")
    assert "attachment_added" in entries
    assert package_verify(result.path).ok

    _flip(original)
    failed = package_verify(result.path)
    assert failed.failed_file == str(original.relative_to(result.path))


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_media")
def test_an_original_photo_stays_home_unless_the_witness_named_the_body(
    demo, moderator, tmp_path, django_capture_on_commit_callbacks
):
    """Consent to accountability bodies is not consent to show them the
    witness's unblurred photos (faces, GPS): without the body named, the
    package lists the attachment with its digest and custody, no file."""
    testimony = demo["seed-0013"]
    with django_capture_on_commit_callbacks(execute=True):
        attachment = attachment_add(
            testimony=testimony, upload=upload(photo_bytes()), by=moderator
        )
    result = make(tmp_path, moderator, ids=[testimony.public_id])
    folder = result.path / "data" / "testimonies" / testimony.public_id

    assert not (folder / "attachments").exists()
    record = json.loads((folder / "testimony.json").read_text("utf-8"))
    assert [(a["id"], a["sha256"], a["file"]) for a in record["attachments"]] == [
        (attachment.public_id, attachment.sha256, None)
    ]
    custody = json.loads((folder / "custody.json").read_text("utf-8"))
    assert [c["sha256"] for c in custody] == [attachment.sha256]
    assert package_verify(result.path).ok


@committed_db
def test_the_command_takes_search_filters_and_lists_what_it_left_out(
    coast, moderator, documenter, tmp_path, capsys
):
    banias = factories.testimony(
        narrative="Gunmen came to our street in Banias at night.",
        places=[coast["banias"]],
        consent={"archive": True, "researchers": True, "accountability": True},
    )
    not_consented = factories.testimony(
        narrative="In Banias the shops were looted.", places=[coast["banias"]]
    )
    elsewhere = factories.testimony(
        narrative="In Jableh we heard shooting all night.",
        places=[coast["jableh"]],
        consent={"archive": True, "researchers": True, "accountability": True},
    )
    out = tmp_path / "out"
    call_command(
        "export_package", "--for", IIIM, "--by", "moderator",
        "--place", "banias", str(out),
    )  # fmt: skip
    printed = capsys.readouterr().out
    manifest = json.loads((out / "data" / "package.json").read_text("utf-8"))
    assert manifest["included"] == [banias.public_id]
    assert manifest["asked_for"]["query"] == {"place": ["banias"]}
    assert [i["id"] for i in manifest["left_out"]] == [not_consented.public_id]
    assert f"left out {not_consented.public_id}" in printed
    assert elsewhere.public_id not in json.dumps(manifest)
    call_command("verify_package", str(out))
