from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from archive.audit_actions import audit_action_choices
from archive.models import AuditEntry
from testimonies import policy
from testimonies.policy import Action


class ModeratorAdmin(admin.ModelAdmin):
    """The admin is for moderators; the policy module says who that is."""

    def has_module_permission(self, request):
        return policy.sees_everything(request.user)

    def has_view_permission(self, request, obj=None):
        return policy.sees_everything(request.user)

    def has_add_permission(self, request):
        return policy.sees_everything(request.user)

    def has_change_permission(self, request, obj=None):
        return policy.sees_everything(request.user)

    def has_delete_permission(self, request, obj=None):
        return policy.sees_everything(request.user)


class ReadOnlyModeratorAdmin(ModeratorAdmin):
    """For append-only records: moderators read them, nobody edits them.

    Rows are read in the list itself, never one by one: their sequential
    keys stay out of URLs."""

    list_display_links = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditActionFilter(admin.SimpleListFilter):
    """By action, labelled as the app that declared it labels it."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return audit_action_choices()

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(action=self.value())
        return queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyModeratorAdmin):
    list_display = ["at", "action_shown", "target", "actor", "actor_label"]
    list_filter = [AuditActionFilter]
    search_fields = ["target", "actor__username", "actor_label"]
    date_hierarchy = "at"

    @admin.display(description=_("action"), ordering="action")
    def action_shown(self, entry):
        return entry.action_label


# Roles change only on the roles page, where each change is audited; the
# admin keeps accounts (create, deactivate, reset a password) but not groups,
# permissions or the superuser flag. A TOTP device is the user's own: its key
# must never be shown to anyone else, so devices are not in the admin either.
admin.site.unregister(Group)
admin.site.unregister(get_user_model())
admin.site.unregister(TOTPDevice)


@admin.register(get_user_model())
class AccountAdmin(ModeratorAdmin, UserAdmin):
    list_display = ["username", "is_active", "last_login", "date_joined"]
    list_filter = ["is_active"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Status"), {"fields": ["is_active", "last_login", "date_joined"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, never deleted: the audit log points at them.
        return False

    def user_change_password(self, request, id, form_url=""):
        """Refused for another moderator's account (the policy's Action.SET_PASSWORD),
        whether the form is shown or posted."""
        account = self.get_object(request, unquote(id))
        if account is not None and not policy.allows(
            request.user, Action.SET_PASSWORD, account
        ):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)
