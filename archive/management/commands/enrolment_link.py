from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from archive.services import ENROLMENT_LINK_HOURS, enrolment_link_issue


class Command(BaseCommand):
    help = (
        "Issue a one-time enrolment link for a moderator account's second "
        "factor, from the server's shell: how the first moderator of an "
        "installation (or one no other moderator can vouch for) sets up an "
        "authenticator app. Audited. Moderators issue links to each other on "
        "the roles page."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--site",
            default="",
            help="the site's address, e.g. https://archive.example.org",
        )

    def handle(self, *args, username, site, **options):
        User = get_user_model()
        try:
            user = User._default_manager.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"No account named {username!r}.") from None
        try:
            token = enrolment_link_issue(
                user=user, issued_by_label="manage.py enrolment_link", reason="command"
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        link = f"{site.rstrip('/')}{reverse('enrol')}#{token}"
        self.stdout.write(link)
        self.stderr.write(
            f"Valid once, for {ENROLMENT_LINK_HOURS} hours. Give it to the "
            "person yourself; it is not stored and not shown again."
            + ("" if site else " Put the site's address before it.")
        )
