"""Preparing search documents for many testimonies at once.

What each document needs beyond the testimony's own row is read once per
batch: the current consent of every testimony in one query, the gazetteer
places the documents name in one query, the witnesses' sealed identities
(the names to redact) in one query. Redaction and the sealed texts are
opened once per testimony (TestimonyIndex.full_prepare). Nothing read here
outlives the batch: an identity kept longer could be an outdated one, and a
name variant added since would be left unredacted.
"""

from haystack.exceptions import SkipDocument

from testimonies.models import ConsentRecord, Place
from testimonies.vault.identity import identity_rows


def current_consents(pks) -> dict:
    """The latest consent record of each of these testimonies (absent: none)."""
    latest = {}
    for record in ConsentRecord.objects.filter(testimony_id__in=pks).order_by("pk"):
        latest[record.testimony_id] = record  # ascending: the last one wins
    return latest


def documents_prepare(index, objs) -> dict:
    """{pk: haystack document} of these objects (loaded through the index's
    index_queryset); objects the index skips are left out."""
    objs = list(objs)
    if not objs:
        return {}
    consents = current_consents([obj.pk for obj in objs])
    slugs = set().union(*(index.place_slugs(obj) for obj in objs))
    places = {place.slug: place for place in Place.objects.filter(slug__in=slugs)}
    identities = identity_rows(obj.witness_id for obj in objs)
    documents = {}
    for obj in objs:
        try:
            documents[obj.pk] = index.full_prepare(
                obj,
                consent=consents.get(obj.pk),
                places_by_slug=places,
                identity_row=identities.get(obj.witness_id),
            )
        except SkipDocument:
            continue
    return documents
