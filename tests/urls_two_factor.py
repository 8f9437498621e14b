"""The site's URLs, with a stand-in for the `two-factor` page where the
branch does not have it yet; once it exists the real one is used. Tests of
moderator pages mark themselves with pytest.mark.urls(__name__)."""

from django.http import HttpResponse
from django.urls import NoReverseMatch, path, reverse

from archive.urls import urlpatterns as site_patterns

urlpatterns = list(site_patterns)
try:
    reverse("two-factor", urlconf="archive.urls")
except NoReverseMatch:
    urlpatterns.append(
        path("two-factor/", lambda request: HttpResponse("verify"), name="two-factor")
    )
