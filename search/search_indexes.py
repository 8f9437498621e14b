"""What the search index holds about a testimony.

Only redacted text enters the index, and never an identity field. A second
line of defence stands behind redaction: a document is refused (and removed
if it was indexed) while a word redaction flagged waits for a person's
decision, or when its text, as rendered for the index, still holds
something redaction would replace (a name, the contact, a birth year or
age: a template printing the original text, say). The refusal is logged
with the public id and the kind of reason, never the words, and the
testimony stays out of search until the next write after someone resolves
it. Places
and dates enter as the public sees them: where the approval generalised them
(testimonies.redaction.reidentification), neither a facet, a date filter nor a word of
the text (rewritten by testimonies.redaction.generalisation) may single the testimony
out by the precise ones. Who may
see a document is stored with it (`audiences`, `visible_from`, `owner`) and
every query filters on it (testimonies.policy.search_filter); results are
checked again against the database before they are shown.
"""

import logging

from django.template.loader import render_to_string
from haystack import indexes
from haystack.exceptions import SkipDocument

from search.documents import TEXT_END, TEXTS_END, testimony_sources_digest
from testimonies import policy
from testimonies.models import Place, Testimony
from testimonies.places.models import path_slugs
from testimonies.redaction.generalisation import public_texts
from testimonies.redaction.redactor import redactor_for
from testimonies.vault.identity import READ_NOW, identity_rows

logger = logging.getLogger(__name__)

# Years counted for a range longer than this are capped: a vague "2011-2025"
# should not flood the year facet.
_MAX_FACET_YEARS = 15


class TestimonyIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True)
    public_id = indexes.CharField(model_attr="public_id", indexed=False)
    pseudonym = indexes.CharField(model_attr="witness__pseudonym")
    language = indexes.CharField(model_attr="language", faceted=True)
    places = indexes.MultiValueField(faceted=True)
    communities = indexes.MultiValueField(faceted=True)
    event_types = indexes.MultiValueField(faceted=True)
    years = indexes.MultiValueField(faceted=True)
    # Public ids of the incidents the testimony is linked to, as the public
    # may be shown them (testimonies.policy.incident_no_finer): like places
    # and dates, one document serves every audience.
    incidents = indexes.MultiValueField(faceted=True)
    incident_start = indexes.DateField(null=True)
    incident_end = indexes.DateField(null=True)
    recorded_on = indexes.DateField(model_attr="recorded_on")
    audiences = indexes.MultiValueField()
    visible_from = indexes.DateField()
    owner = indexes.IntegerField(model_attr="recorded_by_id", null=True)
    # What the document was made from (search.documents.sources_digest):
    # a result's stored text is shown only while the database still holds
    # the same.
    sources = indexes.CharField(indexed=False)

    def get_model(self):
        return Testimony

    def index_queryset(self, using=None):
        return (
            Testimony.objects.indexable()
            .select_related("witness")
            .prefetch_related(
                "places",
                "communities",
                "event_types",
                "incident_links__incident__places",
            )
        )

    def read_queryset(self, using=None):
        return self.index_queryset(using)

    def full_prepare(
        self, obj, *, consent=READ_NOW, places_by_slug=None, identity_row=READ_NOW
    ):
        """The document of `obj`. search.documents passes what it read for
        a whole batch: the current `consent` (None: none recorded), the
        places by slug and the witness's sealed identity row (None: none);
        left out, each is read here."""
        # One consent and one redaction per document, shared by the fields.
        # The text is the public's (testimonies.redaction.generalisation): one document
        # serves every audience, and its terms reach the public through
        # matches, excerpts and suggestions.
        obj._index_consent = obj.current_consent() if consent is READ_NOW else consent
        if identity_row is READ_NOW:
            identity_row = identity_rows([obj.witness_id]).get(obj.witness_id)
        obj._index_sources = testimony_sources_digest(obj, identity_row)
        redactor = redactor_for(obj, identity_row=identity_row)
        obj._index_texts = public_texts(obj, redactor=redactor)
        obj._index_places = self._tagged(obj, places_by_slug)
        document = super().full_prepare(obj)
        refused = self._refusal(obj, redactor, document)
        # Kept on the object: a backend that sends what it prepared (the
        # search cluster's) deletes what was refused (search.cluster.engine_mixin).
        obj._index_refused = refused
        if refused:
            logger.warning(
                "search index: %s refused (%s); it stays out of search until "
                "someone resolves it",
                obj.public_id,
                ", ".join(sorted(refused)),
            )
            raise SkipDocument
        return document

    def _refusal(self, obj, redactor, document) -> set[str]:
        """Why the document must not be indexed (kinds of reason, never the
        words): flagged words undecided, or what redaction would still
        replace in the text as rendered. The redacted texts in it are the
        redactor's own output, read already: what the template put beside
        them is read (where a template's slip would show)."""
        rendered = document[self.get_content_field()]
        texts = obj._index_texts
        for text in sorted(
            [texts.narrative, texts.summary, *texts.translations.values()],
            key=len,
            reverse=True,
        ):
            if text:
                rendered = rendered.replace(text, "\n", 1)
        refused = redactor.identifying(rendered)
        if texts.undecided:
            refused.add("undecided words")
        return refused

    def prepare_text(self, obj):
        return render_to_string(
            "search/indexes/testimonies/testimony_text.txt",
            {
                "object": obj,
                "texts": obj._index_texts,
                "places": obj._index_places,
                "text_end": TEXT_END,
                "texts_end": TEXTS_END,
            },
        )

    def prepare_sources(self, obj):
        return obj._index_sources

    def _place_slugs(self, obj) -> set[str]:
        """The places shown to the public with their ancestors: as tagged,
        or the raised ones."""
        raised = obj.public_place_slugs()
        if raised is None:
            return {slug for p in obj.places.all() for slug in p.ancestor_slugs}
        return {slug for path in obj.public_place_paths() for slug in path_slugs(path)}

    def _tagged(self, obj, places_by_slug=None):
        """Places shown with their ancestors, most general first."""
        slugs = self._place_slugs(obj)
        if places_by_slug is None:
            return list(Place.objects.filter(slug__in=slugs).order_by("path"))
        found = (places_by_slug[slug] for slug in slugs if slug in places_by_slug)
        return sorted(found, key=lambda place: place.path)

    def place_slugs(self, obj) -> set[str]:
        """Every place slug the document of `obj` names (for batches)."""
        return self._place_slugs(obj)

    def prepare_places(self, obj):
        return sorted(self._place_slugs(obj))

    def prepare_communities(self, obj):
        return sorted(c.slug for c in obj.communities.all())

    def prepare_event_types(self, obj):
        return sorted(e.slug for e in obj.event_types.all())

    def prepare_incidents(self, obj):
        generalised = bool(obj.public_place_levels_up or obj.public_date_precision)
        return sorted(
            link.incident.public_id
            for link in obj.incident_links.all()
            if not generalised or policy.incident_no_finer(link.incident, obj)
        )

    def prepare_incident_start(self, obj):
        return obj.public_incident.start

    def prepare_incident_end(self, obj):
        return obj.public_incident.end

    def prepare_years(self, obj):
        incident = obj.public_incident
        if not incident.start:
            return []
        last = (incident.end or incident.start).year
        last = min(last, incident.start.year + _MAX_FACET_YEARS - 1)
        return [str(year) for year in range(incident.start.year, last + 1)]

    def prepare_audiences(self, obj):
        return policy.index_audiences(obj, obj._index_consent)

    def prepare_visible_from(self, obj):
        return policy.index_visible_from(obj._index_consent)
