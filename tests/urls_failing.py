"""The site's URLs plus a view that fails the way a bug would: its
exception repeats what the client sent (as Whoosh's date error repeated a
typed date). For the tests of what a 500 leaves in the log."""

from django.urls import path

from archive.urls import urlpatterns as site_urlpatterns


def _failing(request):
    typed = request.GET.get("q", "") + " " + request.POST.get("name", "")
    raise ValueError(f"cannot search for {typed!r} ({typed.lower()})")


urlpatterns = [*site_urlpatterns, path("failing/", _failing)]
