"""Logs that help operators without carrying what people typed.

A 500's traceback goes to stderr in every environment (settings.LOGGING:
without ADMINS, Django's default sends it to mail_admins and so nowhere).
But an exception's message, and so its traceback, can repeat the input that
caused it: a witness's name typed into the search box, a form's fields. The
formatter here replaces, in the whole formatted record, every value of the
request's query string and of its form body (as typed, lower-cased, and
URL-encoded), and each word of them, with [scrubbed].

The development server's access log keeps the path but never the query
string (DropQueryString), as gunicorn's access log (deploy/gunicorn.conf.py)
and the nginx example do.
"""

import logging
from urllib.parse import quote, quote_plus, urlsplit, urlunsplit

from django.http import QueryDict

SCRUBBED = "[scrubbed]"
# Shorter values and words are left: a page number scrubbed would take every
# "2" out of a traceback's line numbers. A name is at least three letters.
_SHORTEST = 3


def without_query(target: str) -> str:
    """A request target (path and query) without its query string."""
    parts = urlsplit(target)
    return urlunsplit(parts._replace(query="", fragment=""))


def _typed_values(request) -> set[str]:
    """Every value the client sent in the query string or a form body that
    Django read, and every word of them."""
    values = []
    query = request.META.get("QUERY_STRING", "")
    if query:
        values += _all(QueryDict(query))
    post = getattr(request, "_post", None)  # only a body already read
    if post is not None:
        values += _all(post)
    body = getattr(request, "_body", None)
    content_type = request.META.get("CONTENT_TYPE", "")
    if body and content_type.startswith("application/x-www-form-urlencoded"):
        values += _all(QueryDict(body))
    typed = set()
    for value in values:
        value = str(value).strip()
        typed.add(value)
        typed.update(value.split())
    return {value for value in typed if len(value) >= _SHORTEST}


def _all(query_dict) -> list[str]:
    return [value for _key, values in query_dict.lists() for value in values]


def _spellings(value: str) -> set[str]:
    """The forms a value takes in a log line: as typed, lower-cased, and
    URL-encoded (a path or a repr of the query)."""
    return {value, value.lower(), quote(value), quote_plus(value), repr(value)[1:-1]}


def scrub(text: str, values) -> str:
    spellings = {s for value in values for s in _spellings(value) if s}
    # Longest first: a whole value goes before the words it is made of.
    for spelling in sorted(spellings, key=len, reverse=True):
        text = text.replace(spelling, SCRUBBED)
    return text


class ScrubbingFormatter(logging.Formatter):
    """A formatter for records that carry the request (django.request's):
    the formatted message and traceback, without what the client typed."""

    def format(self, record):
        text = super().format(record)
        request = getattr(record, "request", None)
        if request is None or not hasattr(request, "META"):
            return text
        return scrub(text, _typed_values(request))


class DropQueryString(logging.Filter):
    """For the development server's access log (django.server): the
    request line without its query string."""

    def filter(self, record):
        if record.args and isinstance(record.args, tuple):
            line = str(record.args[0])
            method, _, rest = line.partition(" ")
            target, _, version = rest.partition(" ")
            if target:
                record.args = (
                    f"{method} {without_query(target)} {version}".strip(),
                    *record.args[1:],
                )
        return True
