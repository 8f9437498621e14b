"""The project's URLs plus a stand-in for the `two-factor` page, for branches
where the real page does not exist yet (tests use it only then)."""

from django.http import HttpResponse
from django.urls import path

from archive.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    path("two-factor-stand-in/", lambda request: HttpResponse(), name="two-factor"),
]
