"""The address a request came from, as the login throttle counts it."""

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address, seen through ARCHIVE_PROXY_COUNT proxies.

    Each trusted proxy appends the address it received the request from to
    X-Forwarded-For, so the client is the entry that many places from the
    right. Entries further left are whatever the client chose to send and are
    never trusted: believing them would let anyone pick a fresh address for
    every guess, or another person's address to lock them out.
    """
    proxies = settings.ARCHIVE_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
