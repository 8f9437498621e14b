from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.backup_crypto import BackupError
from archive.restore import backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into this installation, "
        "which must be migrated and empty, with ARCHIVE_MASTER_KEY set to the "
        "master key of the installation that made it. The whole backup is "
        "checked first: a damaged one is refused and nothing is changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The backup file to restore.")

    def handle(self, *args, path, **options):
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        try:
            report = backup_restore(path=path)
        except BackupError as error:
            raise CommandError(f"Restore refused: {error}") from error
        for label, count in sorted(report.counts.items()):
            self.stdout.write(f"{label}: {count}")
        self.stdout.write(
            f"vault data keys: {report.keys} "
            f"({report.orphan_keys_destroyed} orphaned keys destroyed)"
        )
        self.stdout.write(f"media files: {report.media_files}")
        self.stdout.write("The search index has been rebuilt.")
        if report.audit.broken:
            raise CommandError(
                f"Restored, but the audit chain is broken at {report.audit.broken}."
            )
        self.stdout.write(
            f"The audit chain holds: {report.audit.entries} entries, "
            f"head {report.audit.head}."
        )
