"""manage.py rebuild_index [--resume] [--workers N] [--batch-size N]

The one command that rebuilds the search index. It takes the place of
haystack's command of the same name (the search app comes before haystack in
INSTALLED_APPS), so that the name every haystack guide and script uses runs
the engine's own rebuild: for Whoosh, on every core, with a progress bar,
resumable (search.whoosh.rebuild). An engine without one (a search cluster)
gets haystack's rebuild, which this command then is.
"""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from haystack.management.commands import rebuild_index

from search.engine import NothingToResume, RebuildFailed, search_engine


class Command(rebuild_index.Command):
    help = (
        "Rebuild the search index from the database: on the embedded engine, "
        "documents are prepared on several cores, with a progress bar, and "
        "--resume continues an interrupted rebuild."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--resume",
            action="store_true",
            help="Continue an interrupted rebuild from its checkpoint.",
        )

    def handle(self, **options):
        engine = search_engine()
        if not engine.rebuilds_itself:
            if options["resume"]:
                raise CommandError(_("This search engine cannot resume a rebuild."))
            del options["resume"]
            return super().handle(**options)
        batch_size, workers = options["batchsize"], options["workers"] or 2
        if (batch_size is not None and batch_size < 1) or workers < 1:
            raise CommandError(_("The batch size and workers must be at least 1."))
        verbosity = options["verbosity"]
        try:
            # Never asks, even without --noinput: the index is derived from
            # the database, and a rebuild loses nothing.
            outcome = engine.rebuild(
                resume=options["resume"],
                batch_size=batch_size,
                workers=workers,
                progress=verbosity > 0,
            )
        except NothingToResume as error:
            message = _("There is no interrupted rebuild to resume.")
            raise CommandError(message) from error
        except RebuildFailed as error:
            message = _(
                "The rebuild stopped (%(error)s); the search index was left as "
                "it was. Run it again."
            ) % {"error": type(error.__cause__).__name__}
            raise CommandError(message) from error
        if verbosity > 0:
            rate = outcome.written / outcome.seconds if outcome.seconds else 0
            self.stdout.write(
                _("%(n)d testimonies indexed in %(s).1f s (%(r).0f/s).")
                % {"n": outcome.written, "s": outcome.seconds, "r": rate}
            )
