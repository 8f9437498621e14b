"""Production settings: every secret from the environment, HTTPS only.

Fails loudly at start-up when a required variable is missing.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, PSEUDONYM_KEY, SECRET_KEY, VAULT_MASTER_KEY

DEBUG = False

for _name, _value in [
    ("ARCHIVE_SECRET_KEY", SECRET_KEY),
    ("ARCHIVE_PSEUDONYM_KEY", PSEUDONYM_KEY),
    ("ARCHIVE_ALLOWED_HOSTS", ALLOWED_HOSTS),
    ("ARCHIVE_MASTER_KEY", VAULT_MASTER_KEY),
]:
    if not _value:
        raise ImproperlyConfigured(f"The environment variable {_name} must be set.")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("ARCHIVE_SECRET_KEY must be at least 50 characters.")

SECURE_SSL_REDIRECT = True
# Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# ...and appends the client's address to X-Forwarded-For: login lockouts
# count per client address, not per proxy (which would be one for everyone).
ARCHIVE_PROXY_COUNT = int(os.environ.get("ARCHIVE_PROXY_COUNT", "1"))
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
