from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

# username -> (group, may use the admin)
DEMO_ACCOUNTS = {
    "documenter": ("documenter", False),
    "researcher": ("researcher", False),
    "moderator": ("moderator", True),
}


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
            user.is_staff = staff
            user.save()
            user.groups.add(Group.objects.get(name=group))
            self.stdout.write(f"{username}: {'created' if created else 'exists'}")
