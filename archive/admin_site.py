from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from archive.access import needs_second_factor, second_factor_verified
from archive.redirects import same_site_or
from testimonies import policy


class ArchiveAdminSite(admin.AdminSite):
    site_header = _("Testimony archive")
    site_title = _("Testimony archive")

    def has_permission(self, request):
        # The admin shows originals and identities: moderators only, and
        # only once this session has passed a second factor.
        user = request.user
        return (
            user.is_active
            and policy.sees_everything(user)
            and second_factor_verified(user)
        )

    def login(self, request, extra_context=None):
        """A moderator who lacks only the second factor is sent to give it,
        then back to the admin page they asked for (not the login form,
        which would only tell them they may not enter)."""
        user = request.user
        if (
            request.method == "GET"
            and user.is_authenticated
            and user.is_active
            and needs_second_factor(user)
        ):
            target = same_site_or(
                request,
                request.GET.get(REDIRECT_FIELD_NAME, ""),
                reverse("admin:index", current_app=self.name),
            )
            return redirect(f"{reverse('two-factor')}?{urlencode({'next': target})}")
        return super().login(request, extra_context)
