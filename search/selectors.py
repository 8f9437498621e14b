"""Searching testimonies for one user (docs/search.md, docs/api.md).

The index narrows and counts; the database has the last word: every result
is checked against testimonies.policy before it is shown, and its excerpt is
cut from the redacted text.
"""

import dataclasses
import functools
import logging
import math
import operator
import threading
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from haystack.inputs import Exact
from haystack.query import SQ, SearchQuerySet

from search.documents import (
    DOCUMENT_SOURCES,
    current_consents,
    document_texts,
    sources_digest,
)
from search.engine import search_engine
from search.excerpts import excerpt, excerpt_from_spans
from search.indexing import index_pending
from search.places import PlaceMatch, place_names_for, place_spellings, query_places
from search.query_syntax import (
    AllOf,
    AnyOf,
    Phrase,
    Prefix,
    Term,
    Without,
    folded_words,
    query_parse,
)
from search.suggestions import FEW_HITS, query_suggestion
from testimonies import policy
from testimonies.consent.models.consent import PermittedUse
from testimonies.core.selectors import (
    TestimonyCard,
    TestimonyFacts,
    testimonies_facts,
    testimonies_public_facts,
    testimony_cards,
)
from testimonies.incidents.selectors import incidents_visible_to
from testimonies.models import (
    Community,
    EventType,
    Incident,
    IncidentLink,
    Place,
    Testimony,
)
from testimonies.policy import Action
from testimonies.redaction.generalisation import readable_texts, readable_texts_many
from testimonies.redaction.redactor import RedactedTexts

logger = logging.getLogger(__name__)

# API facet name -> (index field, vocabulary model)
FACETS = {
    "place": ("places", Place),
    "community": ("communities", Community),
    "event_type": ("event_types", EventType),
    # Values are incidents' public ids; each user is offered only the
    # incidents they may see (testimonies.policy.visible_incidents).
    "incident": ("incidents", Incident),
}


@dataclass
class SearchHit:
    testimony: Testimony
    # Its places and dates as the reader may see them.
    facts: TestimonyFacts
    excerpt: str
    # What the reader may do with it, from the consent in force.
    permitted_use: PermittedUse | None = None


@dataclass
class SearchOutcome:
    count: int
    page: int
    pages: int
    page_size: int
    hits: list[SearchHit]
    facets: dict
    # Places the query's words name (their testimonies matched as well).
    places_matched: list[PlaceMatch] = dataclasses.field(default_factory=list)
    # A corrected query, offered when this one found few testimonies.
    suggestion: str = ""
    # The words of the query that are not place names.
    rest_query: str = ""
    # Why the query was searched otherwise than typed, or a word of it that
    # reads as an operator and is not one (search.query_syntax).
    query_note: str = ""

    @property
    def past_last(self) -> bool:
        """Was a page asked for beyond the last one?"""
        return self.page > self.pages


# The orders a search can be sorted in: index fields, most significant first.
# Relevance needs a text query; without one the latest recorded come first.
SORTS = {
    "relevance": (),
    "incident-newest": ("-incident_start", "-incident_end"),
    "incident-oldest": ("incident_start", "incident_end"),
    "recorded-newest": ("-recorded_on",),
}


def _filtered(params: dict, allowed) -> SearchQuerySet:
    """The testimonies matching `params` among those `allowed` lets through
    (a haystack SQ from testimonies.policy, or None for no limit)."""
    return _narrowed(params, allowed, facets=FACETS)


def _narrowed(params: dict, allowed, *, facets) -> SearchQuerySet:
    """As _filtered, with the values of only these `facets` as filters (a
    facet's own counts leave its own filter out: testimony_search)."""
    sqs = SearchQuerySet().models(Testimony)
    if allowed is not None:
        sqs = sqs.filter(allowed)
    condition = text_query_condition(params.get("q") or "", params["_names"])
    if condition is not None:
        sqs = sqs.filter(condition)
    for name in facets:
        field, _model = FACETS[name]
        values = params.get(name) or []
        if values:
            # Several values of one facet: any of them.
            any_of = SQ(**{field: values[0]})
            for value in values[1:]:
                any_of |= SQ(**{field: value})
            sqs = sqs.filter(any_of)
    # Overlap of the incident range with the asked range.
    if params.get("date_from"):
        sqs = sqs.filter(incident_end__gte=params["date_from"])
    if params.get("date_to"):
        sqs = sqs.filter(incident_start__lte=params["date_to"])
    return sqs


def text_query_condition(query: str, names) -> SQ | None:
    """The haystack condition of the query box's text `query`
    (search.query_syntax), for a user who knows the place names `names`;
    None when it holds no word to search for."""
    parsed = query_parse(query)
    return None if parsed.tree is None else _text_condition(parsed.tree, names)


def _text_condition(tree, names) -> SQ:
    """The parsed query (search.query_syntax) as a haystack condition, which
    each engine's query builder writes in its own syntax. Words that name a
    place also match the testimonies tagged with that place or any place
    under it (_words_condition)."""
    if isinstance(tree, AllOf):
        # Neighbouring words may name one place together ("Hai al Kusour").
        parts, run = [], []
        for child in (*tree.children, None):
            if isinstance(child, Term):
                run.append(child.text)
                continue
            if run:
                parts.append(_words_condition(" ".join(run), names))
                run = []
            if child is not None:
                parts.append(_text_condition(child, names))
        return functools.reduce(operator.and_, parts)
    if isinstance(tree, AnyOf):
        parts = [_text_condition(child, names) for child in tree.children]
        return functools.reduce(operator.or_, parts)
    if isinstance(tree, Without):
        return ~_text_condition(tree.child, names)
    if isinstance(tree, Prefix):
        return SQ(content__startswith=tree.stem)
    if isinstance(tree, Phrase):
        return _words_condition(tree.text, names, phrase=True)
    return _words_condition(tree.text, names)


def _text_words(text: str) -> SQ:
    """Words of the text, folded (search.query_syntax.folded_words): one word
    as a term, several (a hyphenated word, a phrase) side by side."""
    found = folded_words(text)
    if len(found) == 1:
        return SQ(content=found[0])
    return SQ(content=Exact(" ".join(found)))


def _words_condition(text: str, names, *, phrase=False) -> SQ:
    """Required words (or one phrase), where words that name a place among
    the places the user may know (`names`) are (the place's name in the text
    in any of its spellings OR tagged with a place so named)."""
    matches, rest = query_places(text, names)
    if phrase and (rest or len(matches) != 1):
        return _text_words(text)  # a phrase is one place name or none
    conditions = []
    if not phrase:
        # Words of punctuation alone are out of the tree (query_parse).
        conditions += [_text_words(word) for word in rest.split()]
    for match in matches:
        named = _text_words(match.words)
        for place in match.places:
            named |= SQ(places=place.slug)
            # A testimony not tagged with the place may still name it, in
            # another spelling or script (Baniyas in a text, بانياس typed).
            for spelling in place_spellings(place):
                named |= _text_words(spelling)
        conditions.append(named)
    return functools.reduce(operator.and_, conditions)


def _ordered(sqs: SearchQuerySet, params: dict) -> SearchQuerySet:
    """In the order asked; by relevance, best match first for a text query,
    else the latest recorded first."""
    fields = SORTS.get(params.get("sort") or "relevance", ())
    if fields:
        return sqs.order_by(*fields)
    return sqs if params.get("q") else sqs.order_by("-recorded_on")


def _place_position(place) -> dict:
    """Where a place facet sits in the gazetteer, so lists can show the tree."""
    ancestors = place.ancestor_slugs
    return {"kind": place.kind, "parent": ancestors[-2] if len(ancestors) > 1 else None}


# Facet values (Place, Community, EventType rows by slug) as the index knows
# them, kept per index version: a rename reaches the index's documents (their
# text holds the names) and so changes the version. Read on every search, they
# would cost a query per facet; labels are taken from them in the reader's
# language at each use.
_facet_values_lock = threading.Lock()
_facet_values: dict = {"version": None, "by_model": {}}


def _facet_value_rows(model, slugs, *, version) -> dict:
    """The rows of `model` with these slugs, by slug, kept for the index
    version `version` (search.engine's index_version(); None: not kept)."""
    with _facet_values_lock:
        if version is None or _facet_values["version"] != version:
            _facet_values.update(version=version, by_model={})
        known = _facet_values["by_model"].setdefault(model, {})
        missing = [slug for slug in slugs if slug not in known]
    if missing:
        fetched = {obj.slug: obj for obj in model.objects.filter(slug__in=missing)}
        with _facet_values_lock:
            if version is not None and _facet_values["version"] == version:
                known.update(fetched)
        known = {**known, **fetched}
    return {slug: known[slug] for slug in slugs if slug in known}


def facet_value_labels(name: str, slugs) -> dict[str, str]:
    """The labels, in the active language, of these values of the facet
    `name` (a key of FACETS), by slug; unknown slugs are left out."""
    _field, model = FACETS[name]
    if model is Incident:
        # Ticked values: the search form let through only incidents the
        # user may see.
        return {
            i.public_id: i.label for i in Incident.objects.filter(public_id__in=slugs)
        }
    version = search_engine().index_version()
    rows = _facet_value_rows(model, slugs, version=version)
    return {slug: obj.label for slug, obj in rows.items()}


def _facet_lists(counts: dict, *, user) -> dict:
    fields = counts.get("fields", {})
    facets = {}
    version = search_engine().index_version()
    for name, (field, model) in FACETS.items():
        pairs = [(value, n) for value, n in fields.get(field, []) if value and n]
        if model is Incident:
            # Per user, never kept: who sees an incident is the policy's.
            by_slug = (
                incidents_visible_to(user).in_bulk(
                    [v for v, _ in pairs], field_name="public_id"
                )
                if pairs
                else {}
            )
        else:
            by_slug = _facet_value_rows(model, [v for v, _ in pairs], version=version)
        facets[name] = [
            {"slug": slug, "name": by_slug[slug].label, "count": n}
            | (_place_position(by_slug[slug]) if model is Place else {})
            for slug, n in pairs
            if slug in by_slug
        ]
    years = [(value, n) for value, n in fields.get("years", []) if value and n]
    facets["year"] = [
        {"value": value, "count": n} for value, n in sorted(years, reverse=True)
    ]
    return facets


def _settled(allowed):
    """A search filter (an SQ, or None for no limit) less the testimonies
    whose index documents may not match the database yet (a change
    committed, its index write not done: search.indexing). Left out of the
    results, the counts and the facets alike, whoever asks."""
    pending = index_pending()
    if not pending:
        return allowed
    not_pending = ~SQ(django_id__in=sorted(pending))
    return not_pending if allowed is None else allowed & not_pending


def _visible_sources(user, pks) -> dict[int, str]:
    """The re-check of a page of results, in one narrow query: which of
    `pks` the database says `user` may see now (the policy, with the
    consent in force), each with the digest of what its document is made
    from (search.documents.sources_digest, compared with the index's: the
    sealed bytes are read, never opened)."""
    rows = (
        policy.visible_testimonies(Testimony.objects.all(), user)
        .filter(pk__in=pks)
        .values_list("pk", *DOCUMENT_SOURCES)
    )
    return {pk: sources_digest(sources) for pk, *sources in rows}


def _hit_rows(user, pks) -> dict:
    """What a result's card and JSON show of these (re-checked) testimonies,
    by pk: the rows without their sealed text, with witness and tags. Read
    through the policy again: a withdrawal committed between the re-check
    and this read leaves its testimony out here too."""
    return (
        policy.visible_testimonies(Testimony.objects.all(), user)
        .filter(pk__in=pks)
        .defer("sealed_content")
        .select_related("witness")
        .prefetch_related("places", "communities", "event_types")
        .in_bulk()
    )


def _visible_by_pk(user, pks) -> dict:
    """The testimonies among `pks` that the database says `user` may see now,
    by pk: every index hit is checked against it before it is shown."""
    return {
        t.pk: t
        for t in policy.visible_testimonies(Testimony.objects.all(), user)
        .filter(pk__in=pks)
        .select_related("witness")
        .prefetch_related("places", "communities", "event_types")
    }


def testimony_search(*, params: dict, user) -> SearchOutcome:
    """One page of the testimonies `user` may see that match `params`
    (cleaned by search.forms.SearchForm), with facet counts."""
    page, page_size = params.get("page") or 1, params.get("page_size") or 20
    names = place_names_for(user)
    parsed = query_parse(params.get("q") or "")
    matches, rest = [], ""
    if parsed.is_plain_words:
        # Offered as filters ("did you mean the place"): only for plain words,
        # where taking a place's words out of the query keeps its meaning.
        matches, rest = query_places(params["q"], names)
    params = {**params, "_names": names}
    allowed = _settled(policy.search_filter(user))
    sqs = _filtered(params, allowed)
    ticked = [name for name in FACETS if params.get(name)]
    for name, (field, _model) in FACETS.items():
        if name not in ticked:
            sqs = sqs.facet(field, limit=-1)
    dated = bool(params.get("date_from") or params.get("date_to"))
    if not dated:
        sqs = sqs.facet("years", limit=-1)
    sqs = _ordered(sqs, params)
    if params.get("q") and search_engine().gives_match_spans:
        # Where the query's words stand in each result's stored text.
        sqs = sqs.highlight(spans=True)
    start = (page - 1) * page_size
    with search_engine().one_request():
        window = list(sqs[start : start + page_size])
        count = sqs.count()
        counts = sqs.facet_counts()
        counts.setdefault("fields", {}).update(
            _counts_without_own_filter(params, allowed, ticked=ticked, dated=dated)
        )
    facets = _facet_lists(counts, user=user)

    hits, stale = _hits(window, user=user, query=parsed.wanted_text())
    count = max(count - len(stale), 0)
    suggestion = ""
    if parsed.is_plain_words and count < FEW_HITS:
        # Only for words alone (a correction of syntax would change what it
        # asks), and only here: correcting reads the index's vocabulary,
        # which the normal path never pays for.
        suggestion = query_suggestion(
            query=params["q"],
            allowed=allowed,
            names=names,
            count_for=lambda q: _filtered({**params, "q": q}, allowed).count(),
            found=count,
        )
    return SearchOutcome(
        count=count,
        page=page,
        pages=max(1, math.ceil(count / page_size)),
        page_size=page_size,
        hits=hits,
        facets=facets,
        places_matched=matches,
        suggestion=suggestion,
        rest_query=rest,
        query_note=parsed.note,
    )


def _counts_without_own_filter(params, allowed, *, ticked, dated) -> dict:
    """Facet counts for the facets whose values are ticked, each counted
    with every other filter but not its own (as Solr's tag and exclude
    do): the count beside a value is what ticking it as well would add,
    and the values beside a ticked one stay listed (docs/api.md). The
    years (links that set the dates) are counted likewise without the
    dates. Facets with nothing ticked are counted in the search itself."""
    fields = {}
    for name in ticked:
        field, _model = FACETS[name]
        others = [other for other in FACETS if other != name]
        sqs = _narrowed(params, allowed, facets=others).facet(field, limit=-1)
        list(sqs[:1])  # runs the search, one result read
        fields[field] = sqs.facet_counts().get("fields", {}).get(field, [])
    if dated:
        undated = {**params, "date_from": None, "date_to": None}
        sqs = _filtered(undated, allowed).facet("years", limit=-1)
        list(sqs[:1])
        fields["years"] = sqs.facet_counts().get("fields", {}).get("years", [])
    return fields


def _hits(window, *, user, query: str) -> tuple[list[SearchHit], list[int]]:
    """The page of index results `window` as `user` may see them now, in
    their order, and the pks the database refused.

    Each result is re-checked (_visible_sources). Its excerpt comes from the
    redacted text its document stores, as the public reads it, while the
    database still holds what that document was made from; a result whose
    sources changed since (a write the index was not told of) is read again
    from the database, opened and redacted, and left out if a flagged word
    in it waits for a decision (the index would refuse it)."""
    stored = {int(result.pk): result for result in window}
    current = _visible_sources(user, list(stored))
    stale = [pk for pk in stored if pk not in current]
    if stale:
        # The database said no: the index lags behind. Never show it.
        logger.warning("search: %d results hidden by the database check", len(stale))
    rows = _hit_rows(user, list(current))
    fresh = [
        pk
        for pk, made in current.items()
        if made == getattr(stored[pk], "sources", None)
    ]
    texts = {pk: document_texts(getattr(stored[pk], "text", "") or "") for pk in fresh}
    # The engine's match positions, where it has them: nothing to analyse.
    excerpts = {
        pk: excerpt_from_spans(stored[pk].text, stored[pk].match_spans)
        for pk in fresh
        if getattr(stored[pk], "match_spans", None) is not None
    }
    lagging = [pk for pk in current if pk not in texts]
    if lagging:
        logger.warning("search: %d results read again: the index lags", len(lagging))
        for pk, read in readable_texts_many(
            Testimony.objects.filter(pk__in=lagging)
            .select_related("witness")
            .prefetch_related("places"),
            # As the index would store it: every excerpt is the public's.
            public=True,
        ).items():
            if read.undecided:
                # The index refuses them (search.search_indexes): it lags.
                logger.warning("search: a result hidden: flagged words wait")
                stale.append(pk)
                continue
            texts[pk] = [read.narrative, *read.translations.values(), read.summary]
    shown = [pk for pk in stored if pk in texts and pk in rows]
    stale += [pk for pk in current if pk not in shown and pk not in stale]
    # Places and dates as this user may see them (generalised for the public).
    facts = testimonies_facts([rows[pk] for pk in shown], user=user)
    consents = current_consents(shown)
    hits = [
        SearchHit(
            testimony=rows[pk],
            facts=facts[pk],
            excerpt=excerpts[pk] if pk in excerpts else excerpt(texts[pk], query),
            permitted_use=_permitted_use(consents.get(pk)),
        )
        for pk in shown
    ]
    return hits, stale


def _permitted_use(consent) -> PermittedUse | None:
    return consent.permitted_use if consent is not None else None


@dataclass
class ExportRow:
    testimony: Testimony
    # Its places and dates as the public view has them.
    facts: TestimonyFacts
    texts: RedactedTexts
    permitted_use: PermittedUse | None = None
    # For each of those places, by slug: the places above it (and itself)
    # by kind (governorate, district, town...): never finer than the place.
    place_levels: dict[str, dict[str, Place]] = dataclasses.field(default_factory=dict)
    # Its links to incidents that the exporter may be shown and that are no
    # finer than its public view (policy.links_exported), oldest first.
    incident_links: list[IncidentLink] = dataclasses.field(default_factory=list)


def place_levels(places) -> dict[str, dict[str, Place]]:
    """{slug: {kind: place}} for each of `places`: itself and every place
    above it in the gazetteer, by kind. One query for all of them."""
    places = list(places)
    slugs = {slug for place in places for slug in place.ancestor_slugs}
    by_slug = {p.slug: p for p in Place.objects.filter(slug__in=slugs)}
    return {
        place.slug: {
            # A village fills the town level, as the place people live in.
            _LEVEL_OF_KIND.get(by_slug[slug].kind, by_slug[slug].kind): by_slug[slug]
            for slug in place.ancestor_slugs
            if slug in by_slug
        }
        for place in places
    }


_LEVEL_OF_KIND = {"village": "town"}


@dataclass
class ExportOutcome:
    count: int  # testimonies the search matches that may be exported
    rows: list[ExportRow]  # at most `limit` of them, in the search's order

    @property
    def truncated(self) -> bool:
        return self.count > len(self.rows)


# Results checked against the database per query: bounded so that a large
# limit never builds a query with more variables than SQLite accepts.
_EXPORT_BATCH = 500


def _exported_incident_links(testimonies, user) -> dict[int, list[IncidentLink]]:
    """The incident links an export of `testimonies` by `user` holds, by
    testimony pk, in one query (and one more where a public view was
    generalised): only incidents not merged away, through links the policy
    lets this export show."""
    links = policy.links_exported(
        IncidentLink.objects.filter(
            testimony__in=[t.pk for t in testimonies], incident__merged_into=None
        ),
        user,
    ).select_related("incident")
    by_testimony = {}
    for link in links.order_by("linked_at", "pk"):
        by_testimony.setdefault(link.testimony_id, []).append(link)
    return by_testimony


def testimony_export(*, params: dict, user, limit: int) -> ExportOutcome:
    """The testimonies matching `params` (cleaned by SearchForm) that `user`
    may export (testimonies.policy.exportable_testimonies), at most `limit` of
    them in the search's order, with their redacted texts.

    The index narrows; the database decides, at this moment: a testimony
    whose consent changed since it was indexed is left out even if the index
    has not caught up. PermissionDenied for a user who may not export.
    """
    if not policy.allows(user, Action.EXPORT):
        raise PermissionDenied
    params = {**params, "_names": place_names_for(user)}
    sqs = _ordered(_filtered(params, _settled(policy.export_search_filter())), params)
    indexed_count = sqs.count()
    exportable = (
        policy.exportable_testimonies(Testimony.objects.all(), user)
        .select_related("witness")
        .prefetch_related("places", "communities", "event_types")
    )
    # One more than the limit, to know for certain whether there are more.
    kept, seen, stale, offset = [], set(), 0, 0
    while len(kept) <= limit:
        size = min(_EXPORT_BATCH, limit + 1 - len(kept))
        pks = [int(result.pk) for result in sqs[offset : offset + size]]
        if not pks:
            break
        offset += len(pks)
        found = {t.pk: t for t in exportable.filter(pk__in=pks)}
        stale += sum(pk not in found for pk in pks)
        # An index write between two batches can shift a result into the
        # next one: never the same testimony twice.
        kept += [found.pop(pk) for pk in pks if pk in found and pk not in seen]
        seen.update(pks)
    if stale:
        logger.warning("export: %d results left out by the database check", stale)
    if len(kept) > limit:
        # Not all were checked: the index's count, less what the check refused.
        count = max(indexed_count - stale, limit + 1)
    else:
        count = len(kept)
    rows, held = _export_rows(kept[:limit], user)
    return ExportOutcome(count=max(count - held, len(rows)), rows=rows)


def _export_rows(testimonies, user) -> tuple[list[ExportRow], int]:
    """Export rows of `testimonies` (exportable by `user`, checked by the
    caller), in their order, and how many were held back for undecided
    words."""
    # An export leaves the archive, whoever asks: places, dates and texts as
    # the public view has them, as names are always redacted in it.
    facts = testimonies_public_facts(testimonies)
    texts_by_pk = readable_texts_many(testimonies, public=True)
    # The release gate: nothing leaves with a word that may name someone
    # undecided (the index refuses such testimonies; it may lag behind).
    held = [t for t in testimonies if texts_by_pk[t.pk].undecided]
    if held:
        logger.warning(
            "export: %d results left out: flagged words wait for a decision",
            len(held),
        )
    consents = current_consents([t.pk for t in testimonies])
    levels = place_levels(p for f in facts.values() for p in f.places)
    links = _exported_incident_links(testimonies, user)
    rows = [
        ExportRow(
            testimony=t,
            facts=facts[t.pk],
            texts=texts_by_pk[t.pk],
            permitted_use=_permitted_use(consents.get(t.pk)),
            place_levels={p.slug: levels[p.slug] for p in facts[t.pk].places},
            incident_links=links.get(t.pk, []),
        )
        for t in testimonies
        if not texts_by_pk[t.pk].undecided
    ]
    return rows, len(held)


def testimonies_export_rows(*, pks, user, limit: int) -> ExportOutcome:
    """The testimonies with these primary keys (a list a reader kept, in its
    order) that `user` may export now, at most `limit`, as a search's export
    holds them: the same policy (testimonies.policy.exportable_testimonies),
    the same public view and redaction. PermissionDenied for a user who may
    not export."""
    if not policy.allows(user, Action.EXPORT):
        raise PermissionDenied
    exportable = (
        policy.exportable_testimonies(Testimony.objects.all(), user)
        .select_related("witness")
        .prefetch_related("places", "communities", "event_types")
    )
    pks = list(dict.fromkeys(pks))
    found = {}
    for start in range(0, len(pks), _EXPORT_BATCH):
        batch = pks[start : start + _EXPORT_BATCH]
        found.update({t.pk: t for t in exportable.filter(pk__in=batch)})
    kept = [found[pk] for pk in pks if pk in found]
    rows, held = _export_rows(kept[:limit], user)
    return ExportOutcome(count=len(kept) - held, rows=rows)


def testimony_similar(
    *, testimony: Testimony, user, limit: int = 5, readable=None
) -> list[TestimonyCard]:
    """Up to `limit` testimonies like `testimony` that `user` may see, most
    alike first, never itself: the index proposes among what the user's role
    may see (testimonies.policy.search_filter) and the database confirms each.
    Their places and dates are as the user may see them; for the public,
    the key terms come from the text as the public reads it, so that a place
    or date the public view hides cannot bring its like. `readable`: the
    testimony's texts as the user reads them, when the caller has them (the
    testimony page does); never the original."""
    texts = readable or readable_texts(
        testimony, public=not policy.sees_precise_details(user)
    )
    text = "\n".join([texts.narrative, *texts.translations.values(), texts.summary])
    pks = search_engine().similar_pks(
        pk=testimony.pk,
        text=text,
        allowed=_settled(policy.search_filter(user)),
        top=limit * 4,
    )
    pks = [pk for pk in pks if pk != testimony.pk]
    found = _visible_by_pk(user, pks)
    return testimony_cards([found[pk] for pk in pks if pk in found][:limit], user=user)


def testimony_public_ids(*, params: dict, user, limit: int) -> list[str]:
    """The public ids of the testimonies `user` may see that match `params`
    (cleaned by SearchForm), in the search's order, at most `limit`: what an
    accountability package is asked for when it is asked for by a search
    (testimonies.accountability decides what of it may go)."""
    params = {**params, "_names": place_names_for(user)}
    sqs = _ordered(_filtered(params, _settled(policy.search_filter(user))), params)
    pks = [int(result.pk) for result in sqs[:limit]]
    visible = _visible_by_pk(user, pks)
    return [visible[pk].public_id for pk in pks if pk in visible]


# Index results read per slice when a whole result set is counted
# (testimony_match_pks). Each slice runs the search again, and a keys-only
# result is a few bytes: large slices, so that most searches take one.
_MATCHES_BATCH = 5000


def testimony_match_pks(*, params: dict, user) -> list[int]:
    """The primary keys of every testimony `user` may see, by the index,
    that matches `params` (cleaned by SearchForm), whatever the page: what
    the map and the timeline count. The index narrows with the search's own
    filters and per-role audience field; the caller confirms each against
    the database (testimonies.policy), as a page of results is."""
    params = {**params, "_names": place_names_for(user)}
    sqs = _filtered(params, _settled(policy.search_filter(user)))
    # Keys only: the engine reads which documents matched, not the stored
    # documents (search.engine.asks_keys_only).
    keys = sqs.values_list("pk", flat=True)
    pks, offset = [], 0
    while True:
        window = [int(pk) for pk in keys[offset : offset + _MATCHES_BATCH]]
        pks += window
        offset += len(window)
        if len(window) < _MATCHES_BATCH:
            return pks
