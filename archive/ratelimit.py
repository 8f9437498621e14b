"""Request budgets for the pages anyone may call: search, the search API,
exports, the testimony page, the home page and media files.

Each request is counted in Django's default cache, in fixed windows aligned
on the clock (a "60/minute" budget counts from :00 to :59 of each minute).
Anonymous visitors are counted per client address (archive.client_address,
which believes X-Forwarded-For only as far as ARCHIVE_PROXY_COUNT trusted
proxies), signed-in users per account, whatever their address: a researcher
behind the same office address as the public has a budget of their own.
Moderators are counted like everyone else: a stolen moderator session is
exactly what a limit should slow down.

Counting is add() then incr(), atomic in every cache we configure (Redis,
Memcached, local memory, and archive.cache.LockingFileBasedCache), so
server processes sharing a cache count together. Every counter expires with
its window, so the cache never holds more than the current windows.

Addresses and account ids are never written to the cache in the clear: the
cache key holds a keyed digest of them (a file cache on disk would otherwise
keep a list of who read the archive).
"""

import math
import time
from functools import lru_cache, wraps

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

from archive.client_address import client_ip
from archive.rates import Rate, parse_rate

# Which budget a scope draws on, by who is asking: (anonymous, signed in).
BUDGETS = {
    "search": ("ARCHIVE_RATE_ANON", "ARCHIVE_RATE_USER"),
    "export": ("ARCHIVE_RATE_ANON", "ARCHIVE_RATE_EXPORT"),
    # Login attempts per address, whatever the username: django-axes locks a
    # username at an address; this slows one address trying many usernames.
    "login": ("ARCHIVE_RATE_LOGIN", "ARCHIVE_RATE_LOGIN"),
    # Photos and documents: a page shows several at once, so they have a
    # budget of their own (each file is decrypted and asked of the policy).
    "media": ("ARCHIVE_RATE_MEDIA", "ARCHIVE_RATE_MEDIA"),
    # Password reset requests per address, whoever is named: each may send a
    # mail, and the answer never says whether an account exists.
    "password_reset": ("ARCHIVE_RATE_PASSWORD_RESET", "ARCHIVE_RATE_PASSWORD_RESET"),
}

# Scopes counted per client address even for a signed-in user.
PER_ADDRESS_SCOPES = ("login", "password_reset")


@lru_cache
def _rate(text: str) -> Rate:
    return parse_rate(text)


def rate_for(request, scope: str) -> Rate:
    """The budget this request draws on."""
    anonymous, signed_in = BUDGETS[scope]
    name = signed_in if request.user.is_authenticated else anonymous
    return _rate(getattr(settings, name))


def client_key(request, scope: str) -> str:
    """Whom to count: the account when signed in, else the client address.

    Anonymous requests share one budget across scopes (an export is refused
    to them anyway), media files apart; accounts have one per scope."""
    if scope in PER_ADDRESS_SCOPES:
        who = f"{scope}:{client_ip(request) or 'unknown'}"
    elif scope == "media" and not request.user.is_authenticated:
        who = f"anon-media:{client_ip(request) or 'unknown'}"
    elif request.user.is_authenticated:
        who = f"user:{request.user.pk}:{scope}"
    else:
        who = f"anon:{client_ip(request) or 'unknown'}"
    digest = salted_hmac("archive.ratelimit", who, algorithm="sha256").hexdigest()
    return digest[:32]


def rate_count(*, key: str, rate: Rate, now: float | None = None) -> tuple[int, int]:
    """Count one request for `key`; returns (requests in this window so far,
    whole seconds until the window ends)."""
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    seconds_left = max(1, math.ceil((window + 1) * rate.seconds - now))
    cache_key = f"ratelimit:{key}:{rate.seconds}:{window}"
    # The counter outlives its window by a second, so that a request at the
    # very end of the window is never counted in a fresh, expired-early key.
    timeout = seconds_left + 1
    cache.add(cache_key, 0, timeout)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # Evicted or expired between add() and incr(): start it again. Two
        # processes racing here may both write 1; the next requests count on.
        cache.add(cache_key, 1, timeout)
        count = 1
    return count, seconds_left


def too_many_requests(request, *, retry_after: int, answer: str):
    """The 429 answer: JSON for the API and exports, a page otherwise; both
    say when to try again, and neither may be stored by any cache."""
    message = ngettext(
        "Too many requests. Please wait %(seconds)d second and try again.",
        "Too many requests. Please wait %(seconds)d seconds and try again.",
        retry_after,
    ) % {"seconds": retry_after}
    if answer == "json":
        response = JsonResponse(
            {"error": message, "retry_after": retry_after},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def rate_limited(scope: str, *, answer: str = "html", methods=None):
    """Refuse the view with 429 once the requester's budget for the current
    window is spent. `answer` is "json" or "html" (the refusal's form);
    `methods`, if given, are the only ones counted (a login form's POST)."""
    if scope not in BUDGETS or answer not in ("json", "html"):
        raise ValueError(f"Unknown scope {scope!r} or answer {answer!r}.")

    def decorator(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            if methods is not None and request.method not in methods:
                return view(request, *args, **kwargs)
            rate = rate_for(request, scope)
            count, seconds_left = rate_count(key=client_key(request, scope), rate=rate)
            if count > rate.count:
                return too_many_requests(
                    request, retry_after=seconds_left, answer=answer
                )
            return view(request, *args, **kwargs)

        return limited

    return decorator
