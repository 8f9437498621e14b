from django.core.management.base import BaseCommand, CommandError

from archive.audit_check import audit_verify


class Command(BaseCommand):
    help = (
        "Walk the audit log's hash chain and the records it seals; report the "
        "first broken link and exit non-zero if there is one."
    )

    def handle(self, *args, **options):
        report = audit_verify()
        if report.broken:
            raise CommandError(f"The audit chain is broken at {report.broken}.")
        self.stdout.write(
            f"The audit chain holds: {report.entries} entries, head {report.head}."
        )
