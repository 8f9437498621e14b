from django.core.management.base import BaseCommand, CommandError

from testimonies.imports.reader import IncidentRow, import_lines, import_read
from testimonies.imports.services import testimonies_import


class Command(BaseCommand):
    help = (
        "Import testimonies from a JSON Lines file (docs/import-format.md). "
        "All or "
        "nothing: any bad line is reported and nothing is written. A line for "
        "an erased testimony is skipped with a note: erasure is never undone. "
        "A line asking to be approved whose text holds words flagged for a "
        "person's decision lands as submitted, with a note, and is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON Lines file, UTF-8, one testimony a line")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file, write nothing"
        )

    def handle(self, *args, file, dry_run, **options):
        try:
            with open(file, "rb") as handle:
                rows, errors = import_read(import_lines(handle))
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error}") from error
        for line, message in errors:
            self.stderr.write(f"line {line}: {message}")
        if errors:
            raise CommandError(
                f"{len(errors)} bad line(s) in {file}; nothing was imported."
            )
        incidents = sum(isinstance(row, IncidentRow) for row in rows)
        if dry_run:
            declared = f" and {incidents} incidents" if incidents else ""
            self.stdout.write(
                f"{len(rows) - incidents} testimonies{declared} checked; "
                "nothing written."
            )
            return
        result = testimonies_import(rows=rows, source=f"import_testimonies {file}")
        for note in result.notes:
            self.stderr.write(note)
        if result.held:
            held = ", ".join(f"line {n} ({public_id})" for n, public_id in result.held)
            self.stdout.write(f"Held for review (words to decide): {held}")
        skipped = f", {result.skipped} skipped (erased)" if result.skipped else ""
        self.stdout.write(
            f"{result.created} testimonies created, {result.updated} updated{skipped}"
            + (f"; {incidents} incidents declared." if incidents else ".")
        )
