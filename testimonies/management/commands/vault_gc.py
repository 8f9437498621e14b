from django.core.management.base import BaseCommand
from django.db import OperationalError

from testimonies.vault import sealing as vault
from testimonies.vault.keystore import vault_keys_collect


class Command(BaseCommand):
    help = (
        "Report the identity vault's data keys that no witness uses (left by "
        "an interrupted import or recording) and destroy them. With --dry-run, "
        "only report. Safe while the site and imports run: it waits for "
        "transactions writing keys to end."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="report only; destroy nothing"
        )

    def handle(self, *args, dry_run=False, **options):
        try:
            collected = vault_keys_collect(remove=not dry_run)
        except OperationalError as error:
            # SQLite: another write (a long import) kept the database
            # locked past its timeout. Nothing was destroyed.
            self.stderr.write(f"The database stayed busy ({error}); try again.")
            raise SystemExit(1) from error
        self.stdout.write(
            f"{collected.keys} data keys in the key store, "
            f"{collected.referenced} of witnesses in the database, "
            f"{len(collected.unreferenced)} unreferenced."
        )
        if dry_run:
            if collected.unreferenced:
                self.stdout.write(
                    f"{len(collected.unreferenced)} would be destroyed; "
                    "run without --dry-run to destroy them."
                )
            return
        if collected.removed:
            vault.keystore_vacuum()
        self.stdout.write(f"{collected.removed} destroyed.")
