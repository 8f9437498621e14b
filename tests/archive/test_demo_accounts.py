"""Demo accounts: one per role; under dev settings the demo moderator gets a
second factor with a published key."""

from base64 import b32decode
from io import StringIO

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from archive.roles import Role, role_of
from archive.services import totp_verify

pytestmark = pytest.mark.django_db
DEV_KEY = "3132333435363738393031323334353637383930"


def run():
    out = StringIO()
    call_command("create_demo_accounts", stdout=out)
    return out.getvalue()


def test_one_account_per_role_and_no_second_factor_outside_dev(django_user_model):
    run()
    for role in (Role.DOCUMENTER, Role.RESEARCHER, Role.MODERATOR):
        user = django_user_model.objects.get(username=role.value)
        assert role_of(user) is role
        # An address on a reserved domain, to try a password reset with.
        assert user.email == f"{role.value}@example.org"
    assert not TOTPDevice.objects.exists()


def test_under_dev_settings_the_demo_moderator_gets_a_documented_key(
    settings, django_user_model
):
    settings.DEMO_MODERATOR_TOTP_KEY = DEV_KEY
    output = run()
    run()  # idempotent: still one device
    moderator = django_user_model.objects.get(username="moderator")
    device = TOTPDevice.objects.get(user=moderator)
    assert device.confirmed
    printed = output.split("oathtool --totp -b ")[1].split()[0]
    # The printed key is all a person needs to make a code that is accepted.
    code = f"{totp(b32decode(printed + '=' * (-len(printed) % 8))):06d}"
    assert totp_verify(user=moderator, token=code) == device
