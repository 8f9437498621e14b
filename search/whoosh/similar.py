"""More testimonies like this one: the key terms of the testimony's text
(Whoosh's Bo1 model over the index's statistics), searched among the
documents the user's role may see."""

from whoosh import query as wq

from search.whoosh.index_reading import allowed_query

# Key terms drawn from the testimony's text to search for others.
_KEY_TERMS = 12


def similar_pks(backend, *, pk, text: str, allowed, top: int) -> list[int]:
    """Primary keys of up to `top` indexed testimonies like the one whose
    (redacted) text is `text`, most alike first, among those `allowed` lets
    through; never the testimony `pk` itself. The text is passed rather than
    read from the index, so this works whether or not the index stores it."""
    if not text.strip():
        return []
    field = backend.content_field_name
    with backend.searching() as searcher:
        if not searcher.doc_count():
            return []  # nothing indexed (Whoosh's key terms divide by it)
        try:
            terms = searcher.key_terms_from_text(field, text, numterms=_KEY_TERMS)
        except ZeroDivisionError:
            # Whoosh's Bo1 model divides by the index weight of the text's
            # heaviest word: none of its words is indexed, so nothing is like
            # it (an Arabic draft while the index holds English accounts).
            return []
        if not terms:
            return []
        own = searcher.document_number(id=f"testimonies.testimony.{pk}")
        results = searcher.search(
            wq.Or([wq.Term(field, term, boost=weight) for term, weight in terms]),
            limit=top + 1,
            filter=allowed_query(backend, allowed),
            mask={own} if own is not None else None,
        )
        pks = [int(hit["django_id"]) for hit in results]
    return [found for found in pks if found != pk][:top]
