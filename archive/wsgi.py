"""WSGI entry point; production servers point here."""

import os

from django.core.wsgi import get_wsgi_application

# What the server creates (uploads, the index, the database) is for this
# account only, whatever umask the process was started with.
os.umask(0o077)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings.production")

application = get_wsgi_application()

# Index changes that a process killed after its commit left unwritten
# (a withdrawal, an erasure: search.indexing) are written before this
# process answers anyone.
from search.indexing import index_pending_replay_at_start  # noqa: E402

index_pending_replay_at_start()
