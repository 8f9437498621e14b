"""Where a `next` parameter may send the user after a form: only somewhere
on this site (never an address an attacker put in a link)."""

from django.utils.http import url_has_allowed_host_and_scheme


def same_site_or(request, target: str, default: str) -> str:
    """`target` when it is a URL of this site (by the request's own host and
    scheme), else `default`."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
