from django.contrib import admin

from archive.admin import ModeratorAdmin, ReadOnlyModeratorAdmin
from testimonies.incidents import admin as incident_admin  # noqa: F401 (registers)
from testimonies.models import (
    Community,
    ConsentRecord,
    Erasure,
    EventType,
    Place,
    Testimony,
    Witness,
)
from testimonies.places.gazetteer import place_save


class ConsentRecordInline(admin.TabularInline):
    """The consent history, oldest first; new events are recorded through the
    consent form, never by editing these rows."""

    model = ConsentRecord
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "event", "archive", "researchers", "accountability", "public", "media",
        "named", "images", "method", "obtained_by", "obtained_on", "embargo_until",
        "reason",
        "explained_purpose", "explained_audience", "explained_risks",
        "explained_withdrawal", "witness_is_minor", "guardian_consent",
        "guardian_relation", "child_assent", "recorded_at",
    ]  # fmt: skip

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Testimony)
class TestimonyAdmin(ModeratorAdmin):
    list_display = ["public_id", "witness", "status", "language", "recorded_on"]
    list_filter = ["status", "public_hold", "language", "communities", "event_types"]
    search_fields = ["public_id", "external_id", "witness__pseudonym"]
    autocomplete_fields = ["places"]
    filter_horizontal = ["communities", "event_types"]
    # Status moves only through the queue, withdrawal and erasure, each of
    # which records its decision in the audit chain; the public view is
    # chosen at approval, after the re-identification check.
    readonly_fields = [
        "public_id", "witness", "status",
        "public_place_levels_up", "public_date_precision",
        "created_at", "updated_at",
    ]  # fmt: skip
    inlines = [ConsentRecordInline]
    date_hierarchy = "recorded_on"

    def has_add_permission(self, request):
        return False  # testimonies are recorded through imports and forms

    def has_change_permission(self, request, obj=None):
        # An erased testimony is a tombstone: nothing may be written back.
        if obj is not None and obj.is_erased:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Deleting the row would remove the tombstone and leave no trace of
        # the erasure; testimonies are erased on their erase page only.
        return False


@admin.register(Witness)
class WitnessAdmin(ModeratorAdmin):
    # Pseudonyms only: identities are revealed on a logged page, never here.
    list_display = ["pseudonym", "created_at"]
    search_fields = ["pseudonym"]
    fields = readonly_fields = ["pseudonym", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyModeratorAdmin):
    list_display = ["testimony", "event", "public", "researchers", "obtained_on"]
    list_filter = ["event", "public", "researchers", "archive"]
    search_fields = ["testimony__public_id"]


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyModeratorAdmin):
    list_display = ["testimony", "erased_at", "erased_by", "erased_by_label"]
    list_select_related = ["testimony", "erased_by"]
    search_fields = ["testimony__public_id", "content_sha256"]
    date_hierarchy = "erased_at"


@admin.register(Place)
class PlaceAdmin(ModeratorAdmin):
    list_display = ["name", "name_ar", "kind", "parent", "slug", "added_by_documenter"]
    list_filter = ["kind", "added_by_documenter"]
    search_fields = ["name", "name_ar", "slug", "variants"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]

    def save_model(self, request, obj, form, change):
        place_save(place=obj)


@admin.register(Community, EventType)
class VocabularyAdmin(ModeratorAdmin):
    list_display = ["slug", "name", "name_ar"]
    search_fields = ["slug", "name", "name_ar"]

    def get_readonly_fields(self, request, obj=None):
        # Import lines and API queries name terms by slug (docs/import-format.md,
        # docs/api.md): fixed once made.
        return ["slug"] if obj else []
