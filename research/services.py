"""Writes of the researchers' tools. Every write takes the owner from the
request and finds the object among the owner's own (research.selectors):
nothing here acts on another account's search, note or collection."""

from django.db import transaction
from django.utils import timezone

from research.models import Collection, CollectionItem, Note, SavedSearch
from research.selectors import saved_search_matches


@transaction.atomic
def saved_search_create(*, owner, name: str, query: str) -> SavedSearch:
    """Keep the search in `query` (the search page's query string, cleaned
    by the caller) under `name`. What it matches now counts as seen."""
    saved = SavedSearch(owner=owner, name=name, query=query)
    saved.seen_ids = saved_search_matches(saved=saved, user=owner)
    saved.last_seen_at = timezone.now()
    saved.full_clean()
    saved.save()
    return saved


@transaction.atomic
def saved_search_mark_seen(*, saved: SavedSearch, user) -> SavedSearch:
    """Opening a saved search: what it matches now, as `user` may see it,
    becomes what was seen."""
    saved.seen_ids = saved_search_matches(saved=saved, user=user)
    saved.last_seen_at = timezone.now()
    saved.full_clean()
    saved.save(update_fields=["seen_ids", "last_seen_at"])
    return saved


def saved_search_delete(*, saved: SavedSearch) -> None:
    saved.delete()


@transaction.atomic
def note_create(*, author, testimony, text: str) -> Note:
    """A private note by `author` on `testimony` (one the caller's selector
    found visible to the author)."""
    note = Note(author=author, testimony=testimony, text=text)
    note.full_clean()
    note.save()
    return note


def note_delete(*, note: Note) -> None:
    note.delete()


@transaction.atomic
def collection_create(*, owner, name: str) -> Collection:
    collection = Collection(owner=owner, name=name)
    collection.full_clean()
    collection.save()
    return collection


@transaction.atomic
def collection_add(*, collection: Collection, testimony) -> CollectionItem:
    """Add `testimony` (visible to the collection's owner: the caller's
    selector) to `collection`; adding it again changes nothing."""
    item, _created = CollectionItem.objects.get_or_create(
        collection=collection, testimony=testimony
    )
    return item


def collection_remove(*, collection: Collection, testimony_public_id: str) -> None:
    CollectionItem.objects.filter(
        collection=collection, testimony__public_id=testimony_public_id
    ).delete()


def collection_delete(*, collection: Collection) -> None:
    collection.delete()
