from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import policy


class ArchiveAdminSite(admin.AdminSite):
    site_header = _("Testimony archive")
    site_title = _("Testimony archive")

    def has_permission(self, request):
        return request.user.is_active and policy.sees_everything(request.user)
