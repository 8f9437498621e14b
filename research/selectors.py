"""Reads behind the researchers' tools. Each object is found among the
requesting user's own (another account's is a 404, as if it did not exist),
and every testimony it names is asked of testimonies.policy at the moment
it is shown: what is no longer visible to the owner is left out, its notes
hidden with it, and counted as no longer available."""

from dataclasses import dataclass

from django.db.models import Count
from django.http import Http404, QueryDict
from django.urls import reverse

from research.models import Collection, CollectionItem, Note, SavedSearch
from search.exports import QUERY_PARAMETERS
from search.forms import SearchForm
from search.selectors import (
    ExportOutcome,
    testimonies_export_rows,
    testimony_public_ids,
)
from testimonies import policy
from testimonies.core.selectors import (
    TestimonyCard,
    TestimonyNotVisible,
    testimony_cards,
    with_tags,
)
from testimonies.models import Testimony

# How many matches of a saved search are compared with those last seen.
SAVED_SEARCH_SCAN = 1000


class NotYours(Http404):
    """Another account's saved search, note or collection, or none at all:
    the same 404 either way."""


def saved_search_query(query_dict) -> str:
    """The search parameters of a search page's query string, as kept: the
    words and filters, never the page."""
    params = QueryDict(mutable=True)
    for name in QUERY_PARAMETERS:
        for value in query_dict.getlist(name):
            if value:
                params.appendlist(name, value)
    return params.urlencode()


def _search_params(query: str, user) -> dict | None:
    form = SearchForm(QueryDict(query), user=user)
    usable = form if form.is_valid() else form.without_invalid()
    return usable.cleaned_data if usable is not None else None


def saved_search_matches(*, saved: SavedSearch, user) -> list[str]:
    """The public ids the saved search matches now, as `user` may see them
    now (search.selectors, which asks the policy and checks each result
    against the database), at most SAVED_SEARCH_SCAN."""
    params = _search_params(saved.query, user)
    if params is None:
        return []
    return testimony_public_ids(params=params, user=user, limit=SAVED_SEARCH_SCAN)


@dataclass(frozen=True)
class SavedSearchRow:
    saved: SavedSearch
    # Matches now (as the owner may see them now) not among those last seen.
    new_count: int
    url: str


def saved_searches_with_news(*, user) -> list[SavedSearchRow]:
    """The user's saved searches, each with how many testimonies it matches
    now that it did not match when last opened: counted here, at every
    view, with the user's current visibility, never kept."""
    rows = []
    for saved in SavedSearch.objects.filter(owner=user):
        seen = set(saved.seen_ids)
        now = saved_search_matches(saved=saved, user=user)
        rows.append(
            SavedSearchRow(
                saved=saved,
                new_count=sum(public_id not in seen for public_id in now),
                url=saved_search_url(saved),
            )
        )
    return rows


def saved_search_url(saved: SavedSearch) -> str:
    base = reverse("search:page")
    return f"{base}?{saved.query}" if saved.query else base


def saved_search_owned(*, public_id: str, user) -> SavedSearch:
    saved = SavedSearch.objects.filter(public_id=public_id, owner=user).first()
    if saved is None:
        raise NotYours
    return saved


def testimony_for_research(*, public_id: str, user) -> Testimony:
    """A testimony `user` may see now; TestimonyNotVisible otherwise."""
    testimony = (
        with_tags(policy.visible_testimonies(Testimony.objects.all(), user))
        .filter(public_id=public_id)
        .first()
    )
    if testimony is None:
        raise TestimonyNotVisible
    return testimony


@dataclass(frozen=True)
class ResearchKept:
    """What a user keeps about one testimony: their notes on it, and their
    collections, those holding it and the others."""

    testimony: Testimony
    notes: list[Note]
    holding: list[Collection]
    others: list[Collection]


def research_kept(*, testimony: Testimony, user) -> ResearchKept:
    """The user's notes and collections around `testimony`, one the caller
    has found the user may see now (the testimony page has, for its panel)."""
    collections = list(Collection.objects.filter(owner=user))
    holding_pks = set(
        CollectionItem.objects.filter(
            collection__owner=user, testimony=testimony
        ).values_list("collection_id", flat=True)
    )
    return ResearchKept(
        testimony=testimony,
        notes=list(Note.objects.filter(author=user, testimony=testimony)),
        holding=[c for c in collections if c.pk in holding_pks],
        others=[c for c in collections if c.pk not in holding_pks],
    )


@dataclass(frozen=True)
class TestimonyResearch:
    """The research page for one testimony: its card, and what the user
    keeps about it."""

    card: TestimonyCard
    kept: ResearchKept


def testimony_research(*, public_id: str, user) -> TestimonyResearch:
    """The user's notes and collections around one testimony they may see."""
    testimony = testimony_for_research(public_id=public_id, user=user)
    return TestimonyResearch(
        card=testimony_cards([testimony], user=user)[0],
        kept=research_kept(testimony=testimony, user=user),
    )


def note_owned(*, public_id: str, user) -> Note:
    """One of the user's notes, on a testimony still visible to them: a note
    on one that is not is hidden with it."""
    note = (
        Note.objects.filter(public_id=public_id, author=user)
        .filter(testimony__in=policy.visible_testimonies(Testimony.objects.all(), user))
        .select_related("testimony")
        .first()
    )
    if note is None:
        raise NotYours
    return note


def collection_named(*, name: str, user) -> Collection | None:
    """The user's collection of that name, if they have one (adding to a
    collection by name never makes a second one of the same name)."""
    return Collection.objects.filter(owner=user, name=name).first()


def collection_owned(*, public_id: str, user) -> Collection:
    collection = Collection.objects.filter(public_id=public_id, owner=user).first()
    if collection is None:
        raise NotYours
    return collection


def _visible_items(collection, user):
    visible = policy.visible_testimonies(Testimony.objects.all(), user)
    return visible.filter(
        pk__in=CollectionItem.objects.filter(collection=collection).values(
            "testimony_id"
        )
    )


@dataclass(frozen=True)
class CollectionRow:
    collection: Collection
    # Testimonies in it that its owner may see now.
    available: int


def collections_of(*, user) -> list[CollectionRow]:
    """The user's collections, each with how many of its testimonies the
    user may see now."""
    visible = policy.visible_testimonies(Testimony.objects.all(), user)
    counts = dict(
        CollectionItem.objects.filter(collection__owner=user, testimony__in=visible)
        .values("collection_id")
        .annotate(n=Count("pk"))
        .values_list("collection_id", "n")
    )
    return [
        CollectionRow(collection=c, available=counts.get(c.pk, 0))
        for c in Collection.objects.filter(owner=user)
    ]


@dataclass(frozen=True)
class CollectionPage:
    collection: Collection
    cards: list[TestimonyCard]
    # Testimonies added once that the owner may no longer see.
    unavailable: int
    may_export: bool


def collection_page(*, public_id: str, user) -> CollectionPage:
    """One collection: the testimonies in it the owner may see now, in the
    order they were added, and how many others are no longer available."""
    collection = collection_owned(public_id=public_id, user=user)
    order = list(
        CollectionItem.objects.filter(collection=collection).values_list(
            "testimony_id", flat=True
        )
    )
    visible = {t.pk: t for t in with_tags(_visible_items(collection, user))}
    return CollectionPage(
        collection=collection,
        cards=testimony_cards(
            [visible[pk] for pk in order if pk in visible], user=user
        ),
        unavailable=len(order) - len(visible),
        may_export=policy.allows(user, policy.Action.EXPORT),
    )


@dataclass(frozen=True)
class CollectionExport:
    outcome: ExportOutcome
    # Testimonies in the collection that may not leave now (no longer
    # visible, or not shared with researchers): left out, counted.
    unavailable: int


def collection_export(*, public_id: str, user, limit: int) -> CollectionExport:
    """The collection as an export holds it: only what the user may export
    (search.selectors.testimonies_export_rows, the same rules and columns as
    a search's export), in the order added."""
    collection = collection_owned(public_id=public_id, user=user)
    order = list(
        CollectionItem.objects.filter(collection=collection).values_list(
            "testimony_id", flat=True
        )
    )
    outcome = testimonies_export_rows(pks=order, user=user, limit=limit)
    return CollectionExport(
        outcome=outcome, unavailable=max(len(order) - outcome.count, 0)
    )
