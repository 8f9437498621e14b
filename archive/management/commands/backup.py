from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.backup import backup_create
from archive.backup_crypto import BackupError


class Command(BaseCommand):
    help = (
        "Write one encrypted, integrity-checked backup of the archive to PATH: "
        "the database, the vault's key store and every media file. The master "
        "key is never in it: keep that apart (docs/operations.md, Backups)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The backup file to write.")
        parser.add_argument(
            "--force", action="store_true", help="Replace PATH if it exists."
        )

    def handle(self, *args, path, force=False, **options):
        try:
            report = backup_create(path=path, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        for label, count in sorted(report.counts.items()):
            self.stdout.write(f"{label}: {count}")
        self.stdout.write(f"vault data keys: {report.keys}")
        self.stdout.write(f"media files: {report.media_files}")
        for link in report.skipped_links:
            self.stderr.write(f"Left out a symbolic link under MEDIA_ROOT: {link}")
        self.stdout.write(f"Backup written to {report.path}")
        self.stdout.write(f"SHA-256 {report.sha256}")
