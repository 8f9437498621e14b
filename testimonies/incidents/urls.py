from django.urls import path

from testimonies.incidents import views

app_name = "incidents"

# `propose/` before `<slug:public_id>/`: the slug pattern would take it.
urlpatterns = [
    path("incidents/", views.incidents_page, name="list"),
    path("incidents/propose/", views.incident_propose, name="propose"),
    path("incidents/<slug:public_id>/", views.incident_page, name="detail"),
    path("incidents/<slug:public_id>/link/", views.incident_link, name="link"),
    path("incidents/<slug:public_id>/unlink/", views.incident_unlink, name="unlink"),
    path("incidents/<slug:public_id>/confirm/", views.incident_confirm, name="confirm"),
    path("incidents/<slug:public_id>/merge/", views.incident_merge, name="merge"),
    path("incidents/<slug:public_id>/split/", views.incident_split, name="split"),
    path(
        "incidents/<slug:public_id>/witness-communities/",
        views.incident_witness_communities,
        name="witness-communities",
    ),
]

# The JSON API: one URL in every language, outside the language prefix
# (archive/urls.py), answered in the language the request asks for.
script_urlpatterns = (
    [
        path("api/incidents/", views.incidents_api, name="list"),
        path("api/incidents/<slug:public_id>/", views.incident_api, name="detail"),
    ],
    "incidents-api",
)
