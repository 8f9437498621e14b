"""manage.py index_rebuild [--resume] [--batch-size N] [--workers N]"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from search.rebuild import NothingToResume, index_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the database, preparing documents on "
        "several cores, with a progress bar; --resume continues an "
        "interrupted rebuild."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--resume",
            action="store_true",
            help="Continue an interrupted rebuild from its checkpoint.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            help="Testimonies per index segment (default: from the count).",
        )
        parser.add_argument(
            "--workers", type=int, default=2, help="Processes preparing documents."
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_true",
            help="Accepted for rebuild_index's callers: this never asks.",
        )

    def handle(self, *args, resume, batch_size, workers, verbosity, **options):
        if (batch_size is not None and batch_size < 1) or workers < 1:
            raise CommandError(_("The batch size and workers must be at least 1."))
        try:
            outcome = index_rebuild(
                resume=resume,
                batch_size=batch_size,
                workers=workers,
                progress=verbosity > 0,
            )
        except NothingToResume as error:
            message = _("There is no interrupted rebuild to resume.")
            raise CommandError(message) from error
        if verbosity > 0:
            rate = outcome.written / outcome.seconds if outcome.seconds else 0
            self.stdout.write(
                _("%(n)d testimonies indexed in %(s).1f s (%(r).0f/s).")
                % {"n": outcome.written, "s": outcome.seconds, "r": rate}
            )
