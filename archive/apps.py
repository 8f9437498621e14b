from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

from archive.audit_actions import (
    ACCOUNT_DETAILS,
    AuditAction,
    audit_actions_register,
    audit_details_register,
)


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = _("Archive")

    def ready(self):
        audit_actions_register(AuditAction)
        audit_details_register(ACCOUNT_DETAILS)
        from archive import signals  # noqa: F401  (connects the lockout audit)
        from archive.database import sqlite_secure_delete

        connection_created.connect(
            sqlite_secure_delete, dispatch_uid="archive.sqlite_secure_delete"
        )


class ArchiveAdminConfig(admin_apps.AdminConfig):
    """The Django admin, opened by the access policy (moderators) rather than
    by the is_staff flag."""

    default = False
    default_site = "archive.admin_site.ArchiveAdminSite"
