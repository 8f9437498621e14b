from base64 import b32encode
from binascii import unhexlify

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

# username -> (group, may use the admin)
DEMO_ACCOUNTS = {
    "documenter": ("documenter", False),
    "researcher": ("researcher", False),
    "moderator": ("moderator", True),
}
DEMO_DEVICE_NAME = "demo authenticator (dev only)"


class Command(BaseCommand):
    help = "Create one demo account per role (dev settings only)."

    def handle(self, *args, **options):
        password = getattr(settings, "DEMO_ACCOUNTS_PASSWORD", None)
        if not password:  # set by dev and test settings only
            raise CommandError("Demo accounts exist only under dev settings.")
        User = get_user_model()
        for username, (group, staff) in DEMO_ACCOUNTS.items():
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(password)
            if not user.email:
                # A reserved domain (RFC 2606): under dev settings a reset
                # mail for it is printed on the console, never sent.
                user.email = f"{username}@example.org"
            user.is_staff = staff
            user.save()
            user.groups.add(Group.objects.get(name=group))
            self.stdout.write(f"{username}: {'created' if created else 'exists'}")
        # Dev settings only: a second factor with a published key, so that
        # the demo moderator can reach the moderator pages.
        key = getattr(settings, "DEMO_MODERATOR_TOTP_KEY", "")
        if key:
            self._demo_device(User.objects.get(username="moderator"), key)

    def _demo_device(self, moderator, key):
        device, _ = TOTPDevice.objects.update_or_create(
            user=moderator,
            name=DEMO_DEVICE_NAME,
            defaults={"key": key, "confirmed": True},
        )
        secret = b32encode(unhexlify(device.key)).decode().rstrip("=")
        self.stdout.write(
            f"moderator: second factor key (dev only) {secret}\n"
            f"  code: oathtool --totp -b {secret}  (or add the key to an "
            "authenticator app)"
        )
