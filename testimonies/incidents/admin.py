from django.contrib import admin

from archive.admin import ModeratorAdmin
from testimonies.incidents.models import Incident
from testimonies.incidents.services import incident_edited


@admin.register(Incident)
class IncidentAdmin(ModeratorAdmin):
    """Where moderators correct an incident's details (after a split, say).
    Incidents are proposed, confirmed, merged and split on their pages,
    through the services that audit each step; an edit here is audited too."""

    list_display = ["title", "title_ar", "status", "start", "end", "public_id"]
    list_filter = ["status", "precision", "event_types"]
    search_fields = ["title", "title_ar", "public_id", "key"]
    autocomplete_fields = ["places"]
    filter_horizontal = ["communities", "event_types"]
    readonly_fields = [
        "public_id", "key", "status", "merged_into", "proposed_by",
        "confirmed_by", "confirmed_at", "created_at", "updated_at",
    ]  # fmt: skip
    date_hierarchy = "start"

    def has_add_permission(self, request):
        return False  # proposed on /incidents/propose/ or by an import

    def has_delete_permission(self, request, obj=None):
        return False  # merged into another, never deleted: links would go

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        incident_edited(user=request.user, incident=form.instance)
