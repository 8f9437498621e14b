from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from archive.audit_actions import audit_actions_register
from search.audit_actions import AuditAction


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self):
        audit_actions_register(AuditAction)
        from search import checks  # noqa: F401  (registers the deploy checks)
        from search.whoosh_files import read_compound_segments_in_place

        read_compound_segments_in_place()
