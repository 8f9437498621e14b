from django.shortcuts import render

from testimonies.selectors import archive_overview


def home(request):
    return render(
        request, "home.html", {"overview": archive_overview(user=request.user)}
    )
