"""The site's URLs plus a stand-in for the `two-factor` page.

Used only while the real second-factor page (accounts work) is not in this
branch, so that tests can check where archive.access sends a moderator who
has not passed a second factor. Once the real page exists the tests use it.
"""

from django.http import HttpResponse
from django.urls import path

from archive.urls import urlpatterns as site_urlpatterns


def _stand_in(request):
    return HttpResponse("second factor")


urlpatterns = [
    *site_urlpatterns,
    path("two-factor-stand-in/", _stand_in, name="two-factor"),
]
