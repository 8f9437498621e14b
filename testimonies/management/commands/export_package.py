"""`manage.py export_package --for NAME (--ids ID ... | --incident ID | search
filters) OUT`:
an accountability package (testimonies.accountability.services)."""

import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from archive.roles import Role, role_of
from search.exports import export_query
from search.forms import SearchForm
from search.selectors import testimony_public_ids
from testimonies.accountability.services import PackageRefused, package_export
from testimonies.models import Testimony

# Search filters, as the search page and the API name them.
FILTERS = ("q", "place", "community", "event_type", "date_from", "date_to")


class Command(BaseCommand):
    help = (
        "Make a signed accountability package (a BagIt bag) for one body, of the "
        "testimonies given by --ids, linked to --incident (whose record goes "
        "with them) or matching the search filters. Only those "
        "whose witnesses consented to accountability bodies go in; the others "
        "are listed with the reason."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--for", dest="recipient", required=True,
            help="The body the package is for, as witnesses name it in consent.",
        )  # fmt: skip
        parser.add_argument(
            "--by", required=True,
            help="The username of the moderator making the package (audited).",
        )  # fmt: skip
        parser.add_argument(
            "--ids", nargs="+", action="extend", default=[], metavar="ID",
            help="Public ids (spaces or commas between them).",
        )  # fmt: skip
        parser.add_argument(
            "--incident", default="",
            help="An incident's public id: every testimony linked to it.",
        )  # fmt: skip
        parser.add_argument("--q", default="", help="Search words.")
        for name in ("place", "community", "event_type"):
            parser.add_argument(
                f"--{name.replace('_', '-')}", dest=name, action="append", default=[]
            )
        parser.add_argument("--date-from", dest="date_from", default="")
        parser.add_argument("--date-to", dest="date_to", default="")
        # Optional here only because `--ids A B OUT` hands OUT to --ids:
        # handle() takes it back.
        parser.add_argument(
            "out", nargs="?", help="The folder to create (must not exist)."
        )

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["by"]).first()
        if user is None or role_of(user) is not Role.MODERATOR:
            raise CommandError(f"{options['by']!r} is not a moderator's username.")
        ids, out = list(options["ids"]), options["out"]
        if out is None and ids:
            out = ids.pop()
        if not out:
            raise CommandError("Give the folder to write the package to (OUT).")
        if Testimony.objects.filter(public_id=out).exists():
            raise CommandError(f"{out!r} is a testimony's id: give OUT after the ids.")
        ids = [i for value in ids for i in re.split(r"[\s,;]+", value) if i]
        query = None
        incident_id = options["incident"].strip()
        if incident_id and (ids or any(options[name] for name in FILTERS)):
            raise CommandError("Give --incident alone, without --ids or filters.")
        if not incident_id and any(options[name] for name in FILTERS):
            if ids:
                raise CommandError("Give --ids or search filters, not both.")
            data = QueryDict(mutable=True)
            for name in FILTERS:
                values = options[name]
                values = values if isinstance(values, list) else [values]
                if any(values):
                    data.setlist(name, [v for v in values if v])
            form = SearchForm(data, user=user)
            if not form.is_valid():
                raise CommandError(f"Invalid search filters: {form.errors.as_text()}")
            query = export_query(form.cleaned_data)
            ids = testimony_public_ids(
                params=form.cleaned_data,
                user=user,
                limit=settings.ARCHIVE_EXPORT_MAX_ROWS,
            )
        elif not ids and not incident_id:
            raise CommandError("Give --ids, --incident or at least one search filter.")
        try:
            result = package_export(
                recipient=options["recipient"],
                public_ids=ids,
                destination=Path(out),
                actor=user,
                query=query,
                incident_id=incident_id,
            )
        except PackageRefused as error:
            selection = (error.params or {}).get("selection")
            for item in selection.left_out if selection else []:
                self.stderr.write(f"left out {item.public_id}: {item.reason_text}")
            raise CommandError(error.messages[0]) from None
        for item in result.selection.left_out:
            self.stdout.write(f"left out {item.public_id}: {item.reason_text}")
        if result.selection.incident is not None:
            incident = result.selection.incident.incident
            self.stdout.write(f"Incident {incident.public_id}: {incident.title}")
        self.stdout.write(
            f"Package {result.package_id}: {len(result.selection.included)} "
            f"testimonies in {result.path}\nSHA-256 of tagmanifest-sha256.txt: "
            f"{result.digest}"
        )
