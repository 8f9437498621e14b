from django.core.management.base import BaseCommand, CommandError

from testimonies.consent.models.consent import WITHDRAWABLE
from testimonies.consent.services.consent import consent_withdraw
from testimonies.models import Testimony


class Command(BaseCommand):
    help = (
        "Withdraw consent for a testimony, scope by scope (all when no scope is "
        "named). Effective in pages, search and the API when the command returns."
    )

    def add_arguments(self, parser):
        parser.add_argument("public_id")
        parser.add_argument(
            "--scope",
            action="append",
            choices=WITHDRAWABLE,
            dest="scopes",
            help=(
                "a scope to withdraw (or images: the showing of photos and "
                "documents); repeat for several; none means all"
            ),
        )
        parser.add_argument("--reason", required=True)
        parser.add_argument(
            "--by", default="withdraw_consent command", help="who received it"
        )

    def handle(self, *args, public_id, scopes, reason, by, **options):
        if not reason.strip():
            raise CommandError("--reason must not be empty.")
        testimony = Testimony.objects.filter(public_id=public_id).first()
        if testimony is None:
            raise CommandError(f"No testimony {public_id}.")
        record = consent_withdraw(
            testimony=testimony, scopes=scopes, reason=reason, obtained_by=by
        )
        left = ", ".join(record.granted_scopes) or "none"
        self.stdout.write(f"Consent withdrawn for {public_id}; scopes left: {left}.")
