"""gunicorn's settings for the archive (`make serve`, deploy/serve.sh).

Listens on the loopback interface only: the reverse proxy in front (nginx,
docs/production.md) is the one that faces the network and terminates TLS.
ARCHIVE_PORT (default 8000) and ARCHIVE_WORKERS (default 2) come from the
environment.
"""

import os
from urllib.parse import urlsplit, urlunsplit

from gunicorn.glogging import Logger

wsgi_app = "archive.wsgi:application"
raw_env = ["DJANGO_SETTINGS_MODULE=archive.settings.production"]


def _whole(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, str(default))
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise SystemExit(f"{name} must be a whole number from {low} to {high}.")
    return int(raw)


bind = [f"127.0.0.1:{_whole('ARCHIVE_PORT', 8000, 1, 65535)}"]
# Two or more: one slow request (an export, a search under a lock) must not
# stop everyone else.
workers = _whole("ARCHIVE_WORKERS", 2, 1, 64)
timeout = 60
graceful_timeout = 30
# Only the proxy on this machine may say the request came over https; with
# no proxy in front (ARCHIVE_BEHIND_TLS_PROXY=0), nobody may.
_behind_proxy = os.environ.get("ARCHIVE_BEHIND_TLS_PROXY", "1").strip() != "0"
forwarded_allow_ips = "127.0.0.1,::1" if _behind_proxy else ""

# The access log keeps the method, the path, the status, the size and the
# time taken, never the query string nor the referrer (a search typed into
# the archive may carry a witness's name), nor the client's address.
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = "info"


class QuerylessLogger(Logger):
    """gunicorn's logger, whose "Error handling request <target>" (an error
    that escaped the site) names the path without its query string."""

    def exception(self, msg, *args, **kwargs):
        super().exception(msg, *(_queryless(arg) for arg in args), **kwargs)


def _queryless(arg):
    if not isinstance(arg, str) or "?" not in arg:
        return arg
    return urlunsplit(urlsplit(arg)._replace(query="", fragment=""))


logger_class = QuerylessLogger

# Files gunicorn itself creates (worker heartbeat files) are this account's
# only; archive/wsgi.py sets the same mask for everything the site writes.
umask = 0o077

# No control socket in the home folder: one shared path for every instance
# on the machine, and signals (HUP, TERM) already do what it offers.
control_socket_disable = True
