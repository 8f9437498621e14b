from django.core.management.base import BaseCommand, CommandError

from testimonies.places.gazetteer import PlaceLookupError, gazetteer_load_country


class Command(BaseCommand):
    help = "Load (or refresh) a country's gazetteer; places added by hand stay."

    def add_arguments(self, parser):
        parser.add_argument("country", nargs="?", default="SY")

    def handle(self, *args, country, **options):
        try:
            counts = gazetteer_load_country(country)
        except PlaceLookupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{country.upper()}: {counts}.")
