"""`manage.py verify_package PATH`: check an accountability package
(testimonies.accountability.verification)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from testimonies.accountability.verification import package_verify


class Command(BaseCommand):
    help = (
        "Check an accountability package: the bag (every file against its "
        "SHA-256 and SHA-512 digests), the signature of its tag manifests, the "
        "digests of its audit entries and of the attachments' originals. Names "
        "the first thing that fails and exits non-zero."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The package's folder (the bag).")
        parser.add_argument(
            "--public-key", default="",
            help="A PEM file of the key to check against (default: this archive's).",
        )  # fmt: skip

    def handle(self, *args, **options):
        pem = (
            Path(options["public_key"]).read_bytes() if options["public_key"] else None
        )
        result = package_verify(Path(options["path"]), public_key_pem=pem)
        for line in result.checked:
            self.stdout.write(f"ok  {line}")
        if not result.ok:
            raise CommandError(f"FAILED  {result.failure}")
        self.stdout.write(f"The package verifies. SHA-256: {result.digest}")
