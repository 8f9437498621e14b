from django.contrib import admin

from . import policy
from .models import AuditEntry


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


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyModeratorAdmin):
    list_display = ["at", "action", "target", "actor", "actor_label"]
    list_filter = ["action"]
    search_fields = ["target", "actor__username", "actor_label"]
    date_hierarchy = "at"
