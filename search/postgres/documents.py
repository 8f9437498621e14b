"""What the PostgreSQL engine's table holds of a search document: the
text-search configurations, the multi-valued fields, the stored fields, and
the row made of a document (search.documents), by the per-save path
(search.postgres.backends) and the bulk rebuild (search.postgres.rebuild)
alike."""

from search.postgres.analysis import engine_text
from search.postgres.models import SearchDocument

# The text-search configurations a document's folded words are analysed
# with; a query's word matches under either.
TEXT_CONFIGS = ("arabic", "english")
# Prefixes match the folded words themselves.
PREFIX_CONFIG = "simple"
# Multi-valued index fields: PostgreSQL arrays.
MULTI_VALUED = frozenset(
    {"places", "communities", "event_types", "years", "audiences", "incidents"}
)
# What a result carries of its row (a search never reads the folded text or
# the vector back).
STORED_FIELDS = (
    "text",
    "public_id",
    "pseudonym",
    "language",
    "places",
    "communities",
    "event_types",
    "years",
    "audiences",
    "incidents",
    "incident_start",
    "incident_end",
    "recorded_on",
    "visible_from",
    "owner",
    "sources",
)


def document_row(document: dict) -> SearchDocument:
    """The table's row of a prepared document (its vector is computed in
    SQL from `analysed`)."""
    values = {name: document.get(name) for name in STORED_FIELDS}
    for name in MULTI_VALUED:
        values[name] = [str(v) for v in values[name] or []]
    return SearchDocument(
        identifier=document["id"],
        django_ct=document["django_ct"],
        django_id=int(document["django_id"]),
        analysed=engine_text(document["text"]),
        **values,
    )
