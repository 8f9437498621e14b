"""The admin keeps accounts, but roles, devices and testimony status move
only through pages that write the audit chain."""

import pytest

pytestmark = pytest.mark.django_db


def test_admin_edits_accounts_but_never_their_roles(
    users, moderator, verified_client_for
):
    client = verified_client_for(moderator)
    listing = client.get("/admin/auth/user/")
    assert listing.status_code == 200
    assert "researcher" in listing.content.decode()
    change = client.get(f"/admin/auth/user/{users['researcher'].pk}/change/")
    assert change.status_code == 200
    form = change.context["adminform"].form
    assert set(form.fields) == {
        "username", "password", "first_name", "last_name", "email", "is_active",
    }  # fmt: skip
    assert client.get("/admin/auth/group/").status_code == 404
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404


def test_admin_cannot_delete_an_account(users, moderator, verified_client_for):
    client = verified_client_for(moderator)
    url = f"/admin/auth/user/{users['researcher'].pk}/delete/"
    assert client.get(url).status_code == 403


def test_testimony_status_is_not_editable_in_the_admin(
    archive, moderator, verified_client_for
):
    client = verified_client_for(moderator)
    submitted = archive["submitted-own"]
    change = client.get(f"/admin/testimonies/testimony/{submitted.pk}/change/")
    assert "status" not in change.context["adminform"].form.fields
