"""Reading the Whoosh index directly, for what haystack does not offer well:
the vocabulary (did you mean: search.whoosh.vocabulary) and similar
documents (more like this: search.whoosh.similar).

Always narrowed to what the user's role may see: the same haystack filter
that every search applies (testimonies.policy.search_filter), turned into a
Whoosh query by haystack's own query builder and parser. Results are
document primary keys, for the caller to check against the database.
"""

from contextlib import contextmanager

from haystack import connections
from haystack.backends.whoosh_backend import WhooshSearchBackend
from haystack.query import SearchQuerySet
from whoosh import query as wq

from testimonies.models import Testimony

TESTIMONY_CT = "testimonies.testimony"


def whoosh_backend():
    """The default connection's backend if it is a Whoosh one, else None;
    set up, whatever the process did before. (A backend has an `index` only
    once set up: asking for it first would find none in a fresh process.)"""
    backend = connections["default"].get_backend()
    if not isinstance(backend, WhooshSearchBackend):
        return None
    if not backend.setup_complete:
        backend.setup()
    return backend


def allowed_query(backend, allowed) -> wq.Query:
    """Testimonies that the haystack filter `allowed` lets through (None: no
    limit) as a Whoosh query."""
    testimonies = wq.Term("django_ct", TESTIMONY_CT)
    if allowed is None:
        return testimonies
    built = SearchQuerySet().models(Testimony).filter(allowed).query.build_query()
    return wq.And([testimonies, backend.parser.parse(built)])


@contextmanager
def index_searcher(backend):
    """The process's searcher (search.whoosh.searchers), as the index is now:
    the one every search uses, not a new one opened for each call."""
    with backend.searching() as searcher:
        yield searcher
