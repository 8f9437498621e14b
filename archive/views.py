from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from testimonies.selectors import archive_overview

from .access import moderator_required
from .audit_check import audit_verify
from .forms import AuditFilterForm
from .selectors import audit_entries

AUDIT_PAGE_SIZE = 50


@never_cache
def home(request):
    return render(
        request, "home.html", {"overview": archive_overview(user=request.user)}
    )


@never_cache
@require_GET
@moderator_required
def audit_log(request):
    """The audit log for moderators, filtered and paged."""
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(audit_entries(**filters), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "archive/audit_log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@never_cache
@require_POST
@moderator_required
def audit_check(request):
    """Walk the whole chain now and show the result."""
    return render(request, "archive/audit_check.html", {"report": audit_verify()})
