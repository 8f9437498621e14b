"""Sessions end after 30 minutes without a request, without a database
write for every request.

Django's SESSION_SAVE_EVERY_REQUEST moves a session's expiry on by saving
it at every request: for a signed-in reader that is a database commit per
page or search (tens of milliseconds on a busy disk). Here the expiry is
moved on (the session saved) only when the last move is at least
REFRESH_EVERY old. A session still ends after
SESSION_COOKIE_AGE without a request, or up to REFRESH_EVERY sooner, never
later: archive computers are often shared.
"""

import time

# The session key holding when the expiry was last moved on (epoch seconds).
_REFRESHED = "_expiry_refreshed"
REFRESH_EVERY = 60


class SessionIdleExpiryMiddleware:
    """After SessionMiddleware: marks a signed-in session as changed (so
    that SessionMiddleware saves it, with a new expiry) when its expiry was
    last moved on REFRESH_EVERY seconds ago or more. A session with nothing
    in it (an anonymous visitor's) is left alone: none is made for them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response
        now = int(time.time())
        refreshed = session.get(_REFRESHED)
        if refreshed is None or not 0 <= now - refreshed < REFRESH_EVERY:
            session[_REFRESHED] = now  # a change: SessionMiddleware saves it
        return response
