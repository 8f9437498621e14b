from django.urls import path

from research import views

app_name = "research"

urlpatterns = [
    path("", views.research_home, name="home"),
    path("searches/", views.saved_search_save, name="saved-search-save"),
    path(
        "searches/<slug:public_id>/open/",
        views.saved_search_open,
        name="saved-search-open",
    ),
    path(
        "searches/<slug:public_id>/delete/",
        views.saved_search_remove,
        name="saved-search-delete",
    ),
    path("testimonies/<slug:public_id>/", views.testimony_notes, name="testimony"),
    path("notes/<slug:public_id>/delete/", views.note_remove, name="note-delete"),
    path("collections/", views.collection_new, name="collection-create"),
    path(
        "collections/<slug:public_id>/",
        views.collection_detail,
        name="collection",
    ),
    path(
        "collections/<slug:public_id>/export.csv",
        views.collection_export_view,
        {"export_format": "csv"},
        name="collection-export-csv",
    ),
    path(
        "collections/<slug:public_id>/export.xlsx",
        views.collection_export_view,
        {"export_format": "xlsx"},
        name="collection-export-xlsx",
    ),
]
