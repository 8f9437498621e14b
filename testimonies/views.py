from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .selectors import TestimonyNotVisible
from .selectors import testimony_detail as select_detail


# Never cached anywhere: a withdrawal must take effect on the next request.
@never_cache
def testimony_detail(request, public_id):
    """One testimony as the requesting user may see it; 404 otherwise."""
    try:
        page = select_detail(
            public_id=public_id,
            user=request.user,
            show_original=request.GET.get("original") == "1",
        )
    except TestimonyNotVisible:
        raise Http404 from None
    return render(request, "testimonies/testimony_detail.html", {"page": page})
