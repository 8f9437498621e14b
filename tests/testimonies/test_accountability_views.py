"""The package page (moderators after their second factor) and the public
signing key page, for every role; a downloaded package checked the way a
recipient without this software checks it (bagit, openssl)."""

import io
import shutil
import subprocess
import zipfile

import bagit
import pytest
from django.urls import reverse

from archive.models import AuditEntry
from testimonies.accountability import signing
from testimonies.accountability.verification import package_verify
from testimonies.audit_actions import AuditAction
from tests import factories
from tests.markers import committed_db

PACKAGE = reverse("accountability:package")
KEY_PAGE = reverse("accountability:signing-key")
KEY_FILE = reverse("accountability-api:signing-key-file")
ACCOUNTABLE = {"archive": True, "researchers": True, "accountability": True}


@pytest.fixture
def other_documenter(db):
    from django.contrib.auth.models import Group

    user = factories.UserFactory(username="other-documenter")
    user.groups.add(Group.objects.get(name="documenter"))
    return user


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [("researcher", 403), ("documenter", 403), ("other_documenter", 403)],
)
def test_only_moderators_reach_the_package_page(request, client_for, who, status):
    user = request.getfixturevalue(who)
    client = client_for(user)
    assert client.get(PACKAGE).status_code == status
    assert client.post(PACKAGE, {"recipient": "IIIM", "ids": "x"}).status_code == status
    assert not AuditEntry.objects.filter(action=AuditAction.PACKAGE_EXPORTED).exists()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(PACKAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_a_moderator_without_a_second_factor_is_sent_to_give_it(client_for, moderator):
    client = client_for(moderator, verified=False)
    for response in (client.get(PACKAGE), client.post(PACKAGE, {"recipient": "x"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two-factor"))
    assert not AuditEntry.objects.filter(action=AuditAction.PACKAGE_EXPORTED).exists()


@pytest.mark.django_db
def test_a_verified_moderator_sees_the_form(client_for, moderator):
    response = client_for(moderator).get(PACKAGE)
    assert response.status_code == 200
    assert "accountability/package_form.html" in [t.name for t in response.templates]
    assert 'name="recipient"' in response.content.decode()


@pytest.fixture
def testimonies(documenter):
    return {
        "accountable": factories.testimony(consent=dict(ACCOUNTABLE)),
        "researchers": factories.testimony(
            consent={"archive": True, "researchers": True}
        ),
    }


def _unzip(response, tmp_path):
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        archive.extractall(tmp_path)
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    return folder


@pytest.mark.django_db
def test_a_moderator_downloads_a_package_that_a_recipient_can_check(
    client_for, moderator, testimonies, tmp_path
):
    accountable, other = testimonies["accountable"], testimonies["researchers"]
    response = client_for(moderator).post(
        PACKAGE,
        {"recipient": "IIIM", "ids": f"{accountable.public_id}\n{other.public_id}"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    bag_path = _unzip(response, tmp_path)

    bagit.Bag(str(bag_path)).validate(fast=False)
    assert package_verify(bag_path).ok
    assert response["X-Package-SHA256"] == package_verify(bag_path).digest
    assert (bag_path / "data" / "testimonies" / accountable.public_id).is_dir()
    assert not (bag_path / "data" / "testimonies" / other.public_id).exists()

    entry = AuditEntry.objects.get(action=AuditAction.PACKAGE_EXPORTED)
    assert entry.actor == moderator
    assert other.public_id in entry.detail  # asked for, left out


@pytest.mark.django_db
@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_openssl_alone_checks_the_signature_with_the_published_key(
    client_for, moderator, testimonies, tmp_path
):
    response = client_for(moderator).post(
        PACKAGE, {"recipient": "IIIM", "ids": testimonies["accountable"].public_id}
    )
    bag_path = _unzip(response, tmp_path / "unzipped")
    key = tmp_path / "key.pem"
    key.write_bytes(client_for(None).get(KEY_FILE).content)

    def openssl_verify(name):
        return subprocess.run(
            ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(key),
             "-rawin", "-in", str(bag_path / name),
             "-sigfile", str(bag_path / f"{name}.sig")],
            capture_output=True, check=False,
        )  # fmt: skip

    for name in ("tagmanifest-sha256.txt", "tagmanifest-sha512.txt"):
        assert openssl_verify(name).returncode == 0
    manifest = bag_path / "tagmanifest-sha256.txt"
    data = manifest.read_bytes()
    manifest.write_bytes(bytes([data[0] ^ 1]) + data[1:])
    assert openssl_verify("tagmanifest-sha256.txt").returncode != 0


@pytest.mark.django_db
def test_a_package_nobody_may_receive_is_refused_with_the_reasons(
    client_for, moderator, testimonies
):
    other = testimonies["researchers"]
    response = client_for(moderator).post(
        PACKAGE, {"recipient": "IIIM", "ids": other.public_id}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert other.public_id in page
    assert "did not consent to sharing with accountability bodies" in page
    assert not AuditEntry.objects.filter(action=AuditAction.PACKAGE_EXPORTED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "researcher", "documenter", "moderator"])
def test_everyone_may_read_the_public_key_and_its_fingerprint(request, client_for, who):
    client = client_for(request.getfixturevalue(who))
    page = client.get(KEY_PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    assert signing.fingerprint_grouped(signing.fingerprint()) in text
    assert "BEGIN PUBLIC KEY" in text
    key = client.get(KEY_FILE)
    assert key.status_code == 200
    assert key.content.decode() == signing.public_key_pem()
    assert "PRIVATE" not in text + key.content.decode()


@pytest.mark.django_db
def test_the_key_pages_do_not_exist_without_a_signing_key(client, settings):
    settings.ARCHIVE_SIGNING_KEY = ""
    assert client.get(KEY_PAGE).status_code == 404
    assert client.get(KEY_FILE).status_code == 404


@committed_db
def test_a_moderator_packages_a_search_from_the_search_page(
    client_for, moderator, researcher, coast, tmp_path
):
    banias = factories.testimony(places=[coast["banias"]], consent=dict(ACCOUNTABLE))
    jableh = factories.testimony(
        narrative="In Jableh we heard shooting.",
        places=[coast["jableh"]],
        consent=dict(ACCOUNTABLE),
    )
    assert "accountability/package/" not in (
        client_for(researcher).get("/search/?place=banias").content.decode()
    )
    client = client_for(moderator)
    search = client.get("/search/?place=banias").content.decode()
    assert f"{PACKAGE}?place=banias" in search

    form = client.get(PACKAGE, {"place": "banias"}).content.decode()
    assert '<input type="hidden" name="place" value="banias">' in form
    response = client.post(PACKAGE, {"recipient": "IIIM", "place": "banias"})
    assert response.status_code == 200
    bag_path = _unzip(response, tmp_path)
    folders = {p.name for p in (bag_path / "data" / "testimonies").iterdir()}
    assert folders == {banias.public_id}
    assert jableh.public_id not in folders


def test_a_download_clears_what_killed_exports_left_behind():
    """A package staged for a download holds decrypted originals and
    identities: what a process killed mid-export left is removed by the next
    one, once no export still running can own it."""
    import os
    import time

    from testimonies.accountability.services import (
        WEB_STAGING_MAX_AGE,
        web_staging_folder,
    )

    first = web_staging_folder()
    (first / "identity.json").write_text("{}")
    recent = web_staging_folder()
    old = time.time() - WEB_STAGING_MAX_AGE.total_seconds() - 60
    os.utime(first, (old, old))

    fresh = web_staging_folder()

    assert not first.exists()
    assert recent.exists() and fresh.exists()
    assert (first.parent.stat().st_mode & 0o777) == 0o700
    for folder in (recent, fresh):
        folder.rmdir()
