"""manage.py generate_corpus N: the entry point of the synthetic corpus,
whose code lives with the benchmarks (bench/corpus)."""

import os
import sys

from django.core.management.base import BaseCommand, CommandError

from bench.corpus.generator import corpus_generate

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Create N synthetic testimonies (invented witnesses, English and Arabic "
        "narratives, varied consent) through the import service, reproducible "
        "from --seed; those of the seed that exist already are kept. The search "
        "index is not updated: run the rebuild afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help="testimonies in the corpus")
        parser.add_argument("--seed", type=int, default=1, help="default 1")
        parser.add_argument(
            "--batch-size", type=int, default=200, help="testimonies a transaction"
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help="processes drawing the stories, this one included (default: "
            "2 when the machine has two cores); one writes",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar"
        )

    def handle(self, *args, count, seed, batch_size, processes, no_progress, **options):
        if count < 1 or batch_size < 1 or processes < 1:
            raise CommandError("count, --batch-size and --processes must be positive")
        show = not no_progress and options.get("verbosity", 1) > 0
        try:
            result = corpus_generate(
                count=count,
                seed=seed,
                batch_size=batch_size,
                processes=processes,
                progress=self._progress if show else None,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        if show:
            sys.stderr.write("\n")
        self.stdout.write(
            f"{result.created} testimonies created, {result.skipped} already there "
            f"(seed {seed}), in {result.seconds:.1f} s ({result.rate:.0f}/s)."
        )

    def _progress(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        sys.stderr.write(f"\r[{bar}] {done}/{total}")
        sys.stderr.flush()
