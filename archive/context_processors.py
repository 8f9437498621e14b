from django.utils.functional import SimpleLazyObject

from archive.formats.month_names import month_names
from archive.languages import alternate_urls
from archive.roles import role_of


def role(request):
    """The requesting user's role, for navigation only (never for access)."""
    return {"archive_role": role_of(getattr(request, "user", None))}


def language_alternates(request):
    """The current page in every language, for the `hreflang` links that
    public pages put in their head (computed only where one is shown)."""
    return {"language_alternates": SimpleLazyObject(lambda: alternate_urls(request))}


def month_names_in_force(request):
    """The twelve month names this reader's dates are written with, for the
    scripts that write months themselves (the timeline)."""
    return {"month_names": SimpleLazyObject(month_names)}
