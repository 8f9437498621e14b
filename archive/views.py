from django.shortcuts import render
from django.views.decorators.cache import never_cache

from testimonies.selectors import archive_overview


@never_cache
def home(request):
    return render(
        request, "home.html", {"overview": archive_overview(user=request.user)}
    )
