"""Preparing search documents for many testimonies at once.

What each document needs beyond the testimony's own row is read once per
batch: the current consent of every testimony in one query, the gazetteer
places the documents name in one query, the witnesses' sealed identities
(the names to redact) in one query. Redaction and the sealed texts are
opened once per testimony (TestimonyIndex.full_prepare). Nothing read here
outlives the batch: an identity kept longer could be an outdated one, and a
name variant added since would be left unredacted.
"""

import hashlib

from haystack.exceptions import SkipDocument

from testimonies.models import ConsentRecord, Place
from testimonies.vault.identity import identity_rows

# In the stored document (templates/search/indexes/testimonies/
# testimony_text.txt), after each readable text (the narrative, each
# translation, the summary: redacted, as the public reads them) and after
# the last: what follows (pseudonym, places, vocabularies) is there to be
# matched, not read. ASCII separators, which the text analysis drops.
TEXT_END = "\x1e"
TEXTS_END = "\x1d"


def document_text_ranges(document: str) -> list[tuple[int, int]]:
    """Where each readable text of a stored document stands in it (the
    redacted texts the public reads, as they were indexed): (start, end),
    in order, blank ones left out."""
    readable_end = document.find(TEXTS_END)
    if readable_end < 0:
        readable_end = len(document)
    ranges, start = [], 0
    while start < readable_end:
        end = document.find(TEXT_END, start, readable_end)
        end = readable_end if end < 0 else end
        text = document[start:end]
        stripped = text.strip()
        if stripped:
            first = start + len(text) - len(text.lstrip())
            ranges.append((first, first + len(stripped)))
        start = end + len(TEXT_END)
    return ranges


def document_texts(document: str) -> list[str]:
    """The readable texts of a stored document, in order (see
    document_text_ranges)."""
    return [document[start:end] for start, end in document_text_ranges(document)]


# What a testimony's document is made from, as the database holds it, read
# without opening anything sealed: the sealed texts (with the names it
# lists, the marks and the word decisions), the witness's sealed identity
# and pseudonym, and what its public view depends on. Anything changed there
# since the document was written (a write the index was not told of) shows
# as a different digest.
DOCUMENT_SOURCES = (
    "sealed_content",
    "witness__identity__sealed",
    "witness__pseudonym",
    "language",
    "recorded_on",
    "incident_start",
    "incident_end",
    "incident_precision",
    "public_place_levels_up",
    "public_date_precision",
)


def sources_digest(values) -> str:
    """The digest of DOCUMENT_SOURCES' values (in that order), as stored
    with each document and compared with the database before a result's
    stored text is shown."""
    digest = hashlib.sha256()
    for value in values:
        if isinstance(value, bytes | bytearray | memoryview):
            data = b"b" + bytes(value)
        else:
            data = b"-" if value is None else b"s" + str(value).encode()
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()[:32]


def testimony_sources_digest(testimony, identity_row) -> str:
    """sources_digest of a testimony row as loaded, with its witness's
    sealed identity row (None: none)."""
    return sources_digest(
        [
            testimony.sealed_content,
            identity_row.sealed if identity_row is not None else None,
            testimony.witness.pseudonym,
            testimony.language,
            testimony.recorded_on,
            testimony.incident_start,
            testimony.incident_end,
            testimony.incident_precision,
            testimony.public_place_levels_up,
            testimony.public_date_precision,
        ]
    )


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
