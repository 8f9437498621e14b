from django.http import Http404
from django.shortcuts import render

from .selectors import TestimonyNotVisible
from .selectors import testimony_detail as select_detail


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
