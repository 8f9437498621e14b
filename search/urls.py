from django.urls import path

from search import views
from search.overview import views as overview

app_name = "search"

urlpatterns = [
    path("search/", views.search_page, name="page"),
    path("map/", overview.map_page, name="map"),
    path("timeline/", overview.timeline_page, name="timeline"),
]

# Interfaces for scripts: one URL in every language, outside the language
# prefix (archive/urls.py), answered in the language the request asks for.
script_urlpatterns = (
    [
        path("api/search/", views.search_api, name="search"),
        path("api/map/", overview.map_api, name="map"),
        path("api/timeline/", overview.timeline_api, name="timeline"),
        path("search/export.csv", views.export_csv_view, name="export-csv"),
        path("search/export.json", views.export_json_view, name="export-json"),
        path("search/export.xlsx", views.export_xlsx_view, name="export-xlsx"),
        path(
            "search/export.csv-metadata.json",
            views.export_csv_metadata_view,
            name="export-csv-metadata",
        ),
    ],
    "search-api",
)
