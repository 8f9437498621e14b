"""The PostgreSQL full-text search engine (ARCHIVE_SEARCH_ENGINE=postgres).

The index is a table of the archive's own database (search.postgres.models):
the same documents and per-audience fields the Whoosh index holds, with a
tsvector column behind a GIN index. Being in the same database, a document's
removal is part of the transaction that withdraws consent (search.indexing):
it commits, or rolls back, with the consent record. docs/search.md says
what it matches differently from the Whoosh engine.
"""
