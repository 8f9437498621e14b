"""Schedules index updates for every write path (services, admin, shell).

The only side effect of any signal in the project: it tells search.indexing
which testimonies changed; the index is written after the commit.
"""

from django.db.models import signals
from haystack.signals import BaseSignalProcessor

from search.indexing import testimonies_schedule_reindex
from testimonies.imports.services import testimonies_written
from testimonies.models import (
    Community,
    ConsentRecord,
    EventType,
    Incident,
    IncidentLink,
    Place,
    Testimony,
    Witness,
    WitnessIdentity,
)


def _testimony_changed(sender, instance, using="default", **kwargs):
    testimonies_schedule_reindex([instance.pk], using=using)


def _testimonies_written(sender, pks, using="default", **kwargs):
    testimonies_schedule_reindex(pks, using=using)


def _consent_changed(sender, instance, using="default", **kwargs):
    # A consent record may narrow who sees the testimony: its write goes
    # ahead of the others waiting for the index.
    testimonies_schedule_reindex([instance.testimony_id], using=using, urgent=True)


def _witness_changed(sender, instance, using="default", **kwargs):
    witness_id = instance.pk if isinstance(instance, Witness) else instance.witness_id
    pks = Testimony.objects.using(using).filter(witness_id=witness_id)
    testimonies_schedule_reindex(pks.values_list("pk", flat=True), using=using)


def _tags_changed(sender, instance, action, reverse, pk_set, using="default", **kw):
    if not action.startswith("post_"):
        return
    if isinstance(instance, Testimony):
        testimonies_schedule_reindex([instance.pk], using=using)
    elif pk_set:  # tagged from the place/vocabulary side
        testimonies_schedule_reindex(pk_set, using=using)
    elif action == "post_clear":
        # The cleared set is unknown after the fact: reindex what held it.
        testimonies_schedule_reindex(
            Testimony.objects.using(using).values_list("pk", flat=True), using=using
        )


def _place_changed(sender, instance, using="default", **kwargs):
    places = Place.objects.using(using).within(instance)
    pks = Testimony.objects.using(using).filter(places__in=places)
    testimonies_schedule_reindex(pks.values_list("pk", flat=True), using=using)


def _link_changed(sender, instance, using="default", **kwargs):
    testimonies_schedule_reindex([instance.testimony_id], using=using)


def _incident_changed(sender, instance, using="default", **kwargs):
    # Its places and dates decide which generalised testimonies show the link.
    pks = IncidentLink.objects.using(using).filter(incident=instance)
    testimonies_schedule_reindex(
        pks.values_list("testimony_id", flat=True), using=using
    )


def _incident_places_changed(sender, instance, action, using="default", **kwargs):
    if action.startswith("post_") and isinstance(instance, Incident):
        _incident_changed(sender, instance, using=using)


def _term_changed(sender, instance, using="default", **kwargs):
    pks = instance.testimony_set.using(using).values_list("pk", flat=True)
    testimonies_schedule_reindex(pks, using=using)


class TestimonyIndexProcessor(BaseSignalProcessor):
    def _connections(self):
        yield signals.post_save, _testimony_changed, Testimony
        yield testimonies_written, _testimonies_written, Testimony
        yield signals.post_delete, _testimony_changed, Testimony
        yield signals.post_save, _consent_changed, ConsentRecord
        yield signals.post_save, _witness_changed, Witness
        yield signals.post_save, _witness_changed, WitnessIdentity
        yield signals.post_delete, _witness_changed, WitnessIdentity
        yield signals.post_save, _place_changed, Place
        yield signals.post_save, _term_changed, Community
        yield signals.post_save, _term_changed, EventType
        for field in ("places", "communities", "event_types"):
            yield signals.m2m_changed, _tags_changed, getattr(Testimony, field).through
        yield signals.post_save, _link_changed, IncidentLink
        yield signals.post_delete, _link_changed, IncidentLink
        yield signals.post_save, _incident_changed, Incident
        yield signals.m2m_changed, _incident_places_changed, Incident.places.through

    def setup(self):
        for signal, handler, sender in self._connections():
            signal.connect(handler, sender=sender)

    def teardown(self):
        for signal, handler, sender in self._connections():
            signal.disconnect(handler, sender=sender)
