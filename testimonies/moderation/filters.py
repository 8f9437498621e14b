"""The filters and orders shared by the moderators' review queue and a
documenter's own testimonies: one vocabulary for both work lists, applied to
a queryset that the policy already narrowed (the callers' selectors).

A list is filtered by state, documenter, place (the place and every place
under it), language, how long it has waited, and whom its review is
assigned to; waiting is counted from the submission (from the recording for
what was never submitted).
"""

import datetime

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from testimonies.models import Place, Testimony, TestimonyStatus

# The review queue's states: the statuses a moderator works through, and
# the waiting ones split into first submissions and resubmissions.
QUEUE_STATES = {
    "waiting": (_("Waiting for review"), Q(status=TestimonyStatus.SUBMITTED)),
    "new": (
        _("Waiting, never reviewed"),
        Q(status=TestimonyStatus.SUBMITTED, earlier_reviews=0),
    ),
    "resubmitted": (
        _("Waiting, resubmitted"),
        Q(status=TestimonyStatus.SUBMITTED, earlier_reviews__gt=0),
    ),
    "sent_back": (_("Sent back for changes"), Q(status=TestimonyStatus.SENT_BACK)),
    "approved": (_("Approved"), Q(status=TestimonyStatus.APPROVED)),
    "draft": (_("Draft"), Q(status=TestimonyStatus.DRAFT)),
    "withdrawn": (_("Withdrawn"), Q(status=TestimonyStatus.WITHDRAWN)),
    "any": (_("Any state"), Q()),
}
QUEUE_DEFAULT_STATE = "waiting"

# A documenter's own testimonies: every status they can still see.
MINE_STATES = {
    status.value: (status.label, Q(status=status))
    for status in (
        TestimonyStatus.DRAFT,
        TestimonyStatus.SUBMITTED,
        TestimonyStatus.SENT_BACK,
        TestimonyStatus.APPROVED,
    )
}

# Waiting for more than this many days.
WAITED_DAYS = {
    "1": _("more than a day"),
    "3": _("more than 3 days"),
    "7": _("more than a week"),
    "30": _("more than a month"),
}

# Orders, each a tie-broken ordering of the annotated queryset.
ORDERS = {
    "oldest": (_("Longest waiting first"), ("waiting_since", "pk")),
    "newest": (_("Most recent first"), ("-waiting_since", "-pk")),
    "documenter": (
        _("By documenter"),
        (F("recorded_by__username").asc(nulls_last=True), "waiting_since", "pk"),
    ),
    "assignee": (
        _("By assigned moderator"),
        (
            F("review_assignment__moderator__username").asc(nulls_last=True),
            "waiting_since",
            "pk",
        ),
    ),
}
QUEUE_ORDERS = ("oldest", "newest", "documenter", "assignee")
MINE_ORDERS = ("newest", "oldest")

# Assigned to: the requesting moderator, nobody, or a moderator by username.
ASSIGNED_TO_ME = "me"
ASSIGNED_TO_NOBODY = "nobody"


def with_waiting(queryset):
    """Annotate when each testimony began to wait and how many reviews it
    had before."""
    return queryset.annotate(
        waiting_since=Coalesce(F("submitted_at"), F("created_at")),
        earlier_reviews=Count("reviews", distinct=True),
    )


def worklist_filtered(queryset, filters: dict, *, user, states: dict, default_order):
    """`queryset` (already what `user` may see) narrowed and ordered by the
    validated `filters` (a filter form's cleaned data: a missing or empty
    value filters nothing)."""
    queryset = with_waiting(queryset)
    state = filters.get("state")
    if state in states:
        queryset = queryset.filter(states[state][1])
    if documenter := filters.get("documenter"):
        queryset = queryset.filter(recorded_by__username=documenter)
    place = filters.get("place")
    if isinstance(place, Place):
        # A subquery rather than a join: a testimony tagged with two places
        # under the one chosen is listed once.
        tagged = Testimony.objects.filter(places__path__startswith=place.path)
        queryset = queryset.filter(pk__in=tagged.values("pk"))
    if language := filters.get("language"):
        queryset = queryset.filter(language=language)
    if waited := filters.get("waited"):
        since = timezone.now() - datetime.timedelta(days=int(waited))
        queryset = queryset.filter(waiting_since__lte=since)
    assigned = filters.get("assigned")
    if assigned == ASSIGNED_TO_ME:
        queryset = queryset.filter(review_assignment__moderator=user)
    elif assigned == ASSIGNED_TO_NOBODY:
        queryset = queryset.filter(review_assignment__isnull=True)
    elif assigned:
        queryset = queryset.filter(review_assignment__moderator__username=assigned)
    order = filters.get("sort") or default_order
    return queryset.order_by(*ORDERS[order][1])


def worklist_places(testimonies):
    """The places the testimonies in `testimonies` are tagged with, and the
    places above them, for a place filter, in gazetteer order."""
    tagged = Place.objects.filter(testimony__in=testimonies).distinct()
    slugs = {slug for place in tagged for slug in place.ancestor_slugs}
    return Place.objects.filter(slug__in=slugs).order_by("path")
