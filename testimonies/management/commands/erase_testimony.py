from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from testimonies.consent.services.erasure import testimony_erase
from testimonies.models import Testimony


class Command(BaseCommand):
    help = (
        "Erase a testimony for good: its text, tags and media are deleted from "
        "the database, the media folder and the search index, and a tombstone "
        "with a SHA-256 of what was erased is kept. Irreversible."
    )

    def add_arguments(self, parser):
        parser.add_argument("public_id")
        parser.add_argument(
            "--reason", required=True, help="kept in the tombstone; no names"
        )
        parser.add_argument(
            "--by", default="erase_testimony command", help="who asked for it"
        )
        parser.add_argument(
            "--yes", action="store_true", help="do not ask for confirmation"
        )

    def handle(self, *args, public_id, reason, by, yes, **options):
        if not reason.strip():
            raise CommandError("--reason must not be empty.")
        testimony = Testimony.objects.filter(public_id=public_id).first()
        if testimony is None:
            raise CommandError(f"No testimony {public_id}.")
        if testimony.is_erased:
            raise CommandError(f"Testimony {public_id} has already been erased.")
        if not yes:
            self.stdout.write(
                f"Erasing {public_id} deletes its text, tags and media for good. "
                "This cannot be undone."
            )
            answer = input(f"Type {public_id} to confirm: ")
            if answer.strip() != public_id:
                raise CommandError("Not confirmed; nothing was erased.")
        try:
            erasure = testimony_erase(
                testimony=testimony, reason=reason, erased_by_label=by
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            f"Testimony {public_id} erased; SHA-256 of what was erased: "
            f"{erasure.content_sha256}."
        )
