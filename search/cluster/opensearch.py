"""OpenSearch (ARCHIVE_SEARCH_ENGINE=opensearch): django-haystack-opensearch
(the opensearch-py client) with the archive's mapping, refreshes and purge
(search.cluster.engine_mixin)."""

from django_haystack_opensearch.haystack import (
    OpenSearchSearchBackend,
    OpenSearchSearchEngine,
)
from opensearchpy.helpers import bulk

from search.cluster.engine_mixin import ArchiveEngineMixin, archive_index_settings


class ArchiveOpenSearchBackend(ArchiveEngineMixin, OpenSearchSearchBackend):
    DEFAULT_SETTINGS = archive_index_settings(OpenSearchSearchBackend.DEFAULT_SETTINGS)
    bulk_helper = staticmethod(bulk)

    def _add_keyword_and_exact_subfields(self, props, unified_index):
        # The package would replace every text mapping (its analyzer with
        # it) by a plain one with a keyword sub-field; build_schema has
        # already made each field what it must be.
        return props


class ArchiveOpenSearchEngine(OpenSearchSearchEngine):
    backend = ArchiveOpenSearchBackend
