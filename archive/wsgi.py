"""WSGI entry point; production servers point here."""

import os

from django.core.wsgi import get_wsgi_application

# What the server creates (uploads, the index, the database) is for this
# account only, whatever umask the process was started with.
os.umask(0o077)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings.production")

application = get_wsgi_application()

# Pending index changes written, the process's start-up frozen out of the
# garbage collector's passes: archive.server_start.
from archive.server_start import server_process_ready  # noqa: E402

server_process_ready()
