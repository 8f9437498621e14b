"""Reads behind the review queue at volume: the filtered, ordered, paged
queue with each testimony's assignment, and what its filters offer. Access
comes from testimonies.policy only."""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch

from archive.roles import Role
from testimonies import policy
from testimonies.consent.selectors import ConsentSummary, consent_summary
from testimonies.core.selectors import TestimonyNotVisible
from testimonies.models import ConsentRecord, Testimony, TestimonyStatus
from testimonies.moderation.filters import (
    QUEUE_DEFAULT_STATE,
    QUEUE_STATES,
    worklist_filtered,
    worklist_places,
)
from testimonies.policy import Action

QUEUE_PAGE_SIZE = 25


@dataclass(frozen=True)
class QueueEntry:
    """A testimony in the review queue."""

    testimony: Testimony
    consent: ConsentSummary
    # When it was submitted (for what was never submitted, when recorded).
    waiting_since: datetime.datetime
    # Reviewed before: sent back, changed and submitted again.
    resubmitted: bool
    # The moderator its review is assigned to, if any.
    assigned_to: object | None


@dataclass(frozen=True)
class QueuePage:
    entries: list[QueueEntry]
    page: Page


def _queue_testimonies(user):
    if not policy.allows(user, Action.REVIEW):
        raise TestimonyNotVisible
    return policy.visible_testimonies(Testimony.objects.all(), user)


def review_queue_page(*, user, filters: dict, page_number=1) -> QueuePage:
    """One page of the review queue as `filters` (a WorklistFilterForm's)
    narrow and order it, each testimony with its consent summary, whether it
    was reviewed before and whom its review is assigned to. With no state
    filter, the testimonies waiting for review."""
    filters = {"state": QUEUE_DEFAULT_STATE} | {k: v for k, v in filters.items() if v}
    queryset = worklist_filtered(
        _queue_testimonies(user),
        filters,
        user=user,
        states=QUEUE_STATES,
        default_order="oldest",
    )
    page = Paginator(
        queryset.select_related(
            "witness", "recorded_by", "review_assignment__moderator"
        ).prefetch_related(
            "places",
            Prefetch("consent_records", queryset=ConsentRecord.objects.order_by("pk")),
        ),
        QUEUE_PAGE_SIZE,
    ).get_page(page_number)
    return QueuePage(
        entries=[
            QueueEntry(
                testimony=testimony,
                consent=consent_summary(testimony.consent_records.all()),
                waiting_since=testimony.waiting_since,
                resubmitted=testimony.earlier_reviews > 0,
                assigned_to=_assignee(testimony),
            )
            for testimony in page.object_list
        ],
        page=page,
    )


def _assignee(testimony):
    assignment = getattr(testimony, "review_assignment", None)
    return assignment.moderator if assignment else None


def moderators_usernames() -> list[str]:
    """Active moderators (by group; superusers act as moderators too), by
    username: whom a review may be assigned to."""
    from_group = get_user_model().objects.filter(
        is_active=True, groups__name=Role.MODERATOR
    )
    superusers = get_user_model().objects.filter(is_active=True, is_superuser=True)
    return sorted(
        set(from_group.values_list("username", flat=True))
        | set(superusers.values_list("username", flat=True))
    )


def queue_documenters(*, user) -> list[str]:
    """The usernames of those who recorded a testimony in the queue."""
    return sorted(
        _queue_testimonies(user)
        .exclude(recorded_by=None)
        .values_list("recorded_by__username", flat=True)
        .distinct()
    )


def queue_places(*, user):
    """The places the queue's place filter offers (moderators see every
    place)."""
    return worklist_places(
        _queue_testimonies(user).exclude(status=TestimonyStatus.ERASED)
    )
