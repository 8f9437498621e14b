"""What a server process does once, after Django is set up and before it
answers anyone (archive.wsgi, archive.asgi).

1. Index changes that a process killed after its commit left unwritten (a
   withdrawal, an erasure: search.indexing) are written first.
2. The URL configuration is loaded (it imports every view), then every
   object the process holds so far is frozen out of the garbage
   collector's full passes (gc.freeze). A full pass walks every object that
   may hold others; Django's modules, models, URLs and translations are
   about 140,000 of them, which made each pass 30 to 70 ms, landing on
   whichever request happened to trigger it (most of the search API's p95
   at 10,000 testimonies). They live as long as the process and are never
   garbage: freezing changes nothing but the time those passes take.
"""

import gc

from django.urls import get_resolver

from search.indexing import index_pending_replay_at_start


def server_process_ready() -> None:
    index_pending_replay_at_start()
    get_resolver().url_patterns  # noqa: B018 - imports the views now
    gc.collect()  # what start-up left as garbage is freed, not frozen
    gc.freeze()
