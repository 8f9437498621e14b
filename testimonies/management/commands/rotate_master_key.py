from django.core.management.base import BaseCommand

from testimonies.vault import sealing as vault
from testimonies.vault.keystore import vault_keys_collect


class Command(BaseCommand):
    help = (
        "Re-wrap every witness's data key with the current master key "
        "(ARCHIVE_MASTER_KEY), while the old one is still listed in "
        "ARCHIVE_PREVIOUS_MASTER_KEYS; afterwards the old key opens nothing "
        "and can be removed. Also destroys the keys of witnesses that no "
        "longer exist. With --generate, only prints a new master key."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--generate",
            action="store_true",
            help="Print a new random master key and change nothing.",
        )

    def handle(self, *args, generate=False, **options):
        if generate:
            self.stdout.write(vault.master_key_generate())
            return
        # Unused keys go first, under the lock that keeps a concurrent
        # import's keys safe (vault_gc): none is re-wrapped for nothing.
        collected = vault_keys_collect(remove=True)
        counts = vault.master_key_rotate()
        self.stdout.write(
            f"{counts['rewrapped']} data keys re-wrapped, "
            f"{counts['current']} already under the current key, "
            f"{collected.removed} orphaned keys destroyed."
        )
        in_use = vault.master_keys_in_use()
        self.stdout.write(
            "Master keys in use: "
            + ", ".join(f"{key_id} ({n})" for key_id, n in in_use.items())
        )
