"""Reads about incidents, always through the access policy: what a user is
never shown (an incident with no link shown to them, a link they may not
see) is absent from every answer, never merely hidden in a template."""

from django.http import Http404

from testimonies.incidents.models import Incident
from testimonies.policy import visible_incidents


class IncidentNotVisible(Http404):
    """Not there, or not for this user: the same 404 as an address that
    never existed, raised without a message (it would reach the 404 page)."""


def incidents_visible_to(user, *, on=None):
    """The current (not merged) incidents `user` may see, as a queryset."""
    return visible_incidents(Incident.objects.current(), user, on=on)
