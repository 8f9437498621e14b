"""Where the PostgreSQL engine's index is read: a streaming replica of the
primary when ARCHIVE_SEARCH_REPLICAS lists any (archive.settings.base), the
primary otherwise.

Only the index's table (search.SearchDocument) is read from a replica. Every
write, and every read that decides what a reader may see (the testimonies,
their consent, the pending index changes, the marks of recent index writes:
search.postgres.backends), goes to the primary. Nothing is migrated on a
replica: it copies the primary.
"""

import random

from django.conf import settings

from search.postgres.models import SearchDocument


class SearchReplicaRouter:
    def db_for_read(self, model, **hints):
        if model is SearchDocument and settings.ARCHIVE_SEARCH_REPLICAS:
            return random.choice(settings.ARCHIVE_SEARCH_REPLICAS)  # noqa: S311
        return None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db in settings.ARCHIVE_SEARCH_REPLICAS:
            return False
        return None
