"""Elasticsearch 7 (ARCHIVE_SEARCH_ENGINE=elasticsearch): haystack's own
elasticsearch7_backend with the archive's mapping, refreshes and purge
(search.cluster.engine_mixin)."""

from elasticsearch.helpers import bulk
from haystack.backends.elasticsearch7_backend import (
    Elasticsearch7SearchBackend,
    Elasticsearch7SearchEngine,
)

from search.cluster.engine_mixin import ArchiveEngineMixin, archive_index_settings


class ArchiveElasticsearch7Backend(ArchiveEngineMixin, Elasticsearch7SearchBackend):
    DEFAULT_SETTINGS = archive_index_settings(
        Elasticsearch7SearchBackend.DEFAULT_SETTINGS
    )
    bulk_helper = staticmethod(bulk)


class ArchiveElasticsearch7Engine(Elasticsearch7SearchEngine):
    backend = ArchiveElasticsearch7Backend
