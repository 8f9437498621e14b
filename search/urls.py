from django.urls import path

from search import views

app_name = "search"

urlpatterns = [
    path("search/", views.search_page, name="page"),
    path("search/export.csv", views.export_csv_view, name="export-csv"),
    path("search/export.json", views.export_json_view, name="export-json"),
    path("api/search/", views.search_api, name="api-search"),
]
