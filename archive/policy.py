"""The archive's access policy: who may see which testimony, and how.

Every page, the search API, the search index and the admin ask this module;
nothing else decides access. The rule is written once, as data
(AUDIENCE_SCOPES), and read three ways: as a database filter
(visible_testimonies), as index fields (index_audiences, index_visible_from)
and as a search filter (search_filter). tests/archive/test_policy.py checks
that the three agree for every role and every consent state.

The rule:
- moderators (and superusers) see everything;
- a testimony is *released* when it is approved, the witness consented to it
  being archived, and any embargo has passed;
- the public sees released testimonies with `public` consent;
- researchers see released testimonies with `researchers` or `public` consent;
- documenters see what researchers see, plus every testimony they recorded
  that has not been withdrawn (a withdrawal hides it from all but moderators);
- an erased testimony is no longer a testimony for anyone: only its
  tombstone remains, shown to moderators (testimonies.selectors.tombstone).
Anything else does not exist for that user (404, never 403).

Consent is read scope by scope, and only a scope granted in the current
consent record opens anything (scope_granted): a scope never granted, or
withdrawn, cannot be used, and moderators are shown which scopes are
missing (scopes_not_granted) so that nobody uses the testimony for them.
Withdrawing is open to moderators and to the documenter who recorded the
testimony (may_withdraw); erasing to moderators (may_erase).
"""

import datetime

from django.db.models import Q
from django.utils import timezone

from .roles import Role, role_of

# Statuses (testimonies.models.TestimonyStatus) by value: this module is
# imported by the models' queryset and must not import them.
WITHDRAWN, ERASED = "withdrawn", "erased"

# Which consent scopes open a released testimony to each reading audience.
AUDIENCE_SCOPES = {
    Role.PUBLIC: ("public",),
    Role.RESEARCHER: ("researchers", "public"),
}
# The audience whose view each role starts from.
ROLE_AUDIENCE = {
    Role.PUBLIC: Role.PUBLIC,
    Role.RESEARCHER: Role.RESEARCHER,
    Role.DOCUMENTER: Role.RESEARCHER,
}
# Stored in the index for testimonies under embargo-free release.
NO_EMBARGO = datetime.date(1970, 1, 1)


def today() -> datetime.date:
    return timezone.localdate()


def sees_everything(user) -> bool:
    return role_of(user) is Role.MODERATOR


def owns(user, testimony) -> bool:
    """The documenter who recorded this testimony, while it is not withdrawn."""
    return (
        role_of(user) is Role.DOCUMENTER
        and testimony.recorded_by_id is not None
        and testimony.recorded_by_id == user.pk
        and testimony.status not in (WITHDRAWN, ERASED)
    )


def visible_testimonies(queryset, user, *, on=None):
    """Filter a Testimony queryset down to what `user` may see."""
    role = role_of(user)
    queryset = queryset.exclude(status=ERASED)
    if role is Role.MODERATOR:
        return queryset
    on = on or today()
    audience = ROLE_AUDIENCE[role]
    scope_granted = Q()
    for scope in AUDIENCE_SCOPES[audience]:
        scope_granted |= Q(**{f"consent_{scope}": True})
    released = (
        Q(status="approved", consent_archive=True)
        & (Q(consent_embargo_until__isnull=True) | Q(consent_embargo_until__lte=on))
        & scope_granted
    )
    if role is Role.DOCUMENTER:
        released |= Q(recorded_by=user) & ~Q(status__in=[WITHDRAWN, ERASED])
    return queryset.with_current_consent().filter(released)


def may_view(user, testimony) -> bool:
    """One testimony, by the same rule as visible_testimonies."""
    return visible_testimonies(
        type(testimony).objects.filter(pk=testimony.pk), user
    ).exists()


def may_read_unredacted(user, testimony) -> bool:
    """The narrative with names in it: moderators and the recording documenter."""
    return sees_everything(user) or owns(user, testimony)


def may_withdraw(user, testimony) -> bool:
    """Record a withdrawal of consent: moderators (who must also have passed
    a second factor, archive.access) and the recording documenter."""
    return testimony.status != ERASED and (
        sees_everything(user) or owns(user, testimony)
    )


def may_erase(user, testimony) -> bool:
    """Erase for good: moderators only (second factor in archive.access)."""
    return testimony.status != ERASED and sees_everything(user)


def scope_granted(consent, scope: str) -> bool:
    """Does the consent in force grant this scope? No consent record grants
    nothing. The only way the policy reads a scope."""
    return consent is not None and bool(getattr(consent, scope))


def scopes_not_granted(consent) -> list[str]:
    """The consent scopes this testimony may not be used for, in the order
    of ConsentScope: every scope when no consent was ever recorded."""
    from testimonies.models import ConsentScope

    return [s for s in ConsentScope.values if not scope_granted(consent, s)]


def index_audiences(testimony, consent) -> list[str]:
    """The audiences a testimony is released to, stored in the search index.

    The embargo is not applied here but stored apart (index_visible_from) so
    that a testimony appears on its release date without being reindexed.
    """
    if testimony.status != "approved" or not scope_granted(consent, "archive"):
        return []
    return [
        audience.value
        for audience, scopes in AUDIENCE_SCOPES.items()
        if any(scope_granted(consent, scope) for scope in scopes)
    ]


def index_visible_from(consent) -> datetime.date:
    return (consent and consent.embargo_until) or NO_EMBARGO


def search_filter(user, *, on=None):
    """A haystack SQ limiting search results to what `user` may see, or None
    for moderators. Results are checked again against the database."""
    from haystack.query import SQ

    role = role_of(user)
    if role is Role.MODERATOR:
        return None
    audience = ROLE_AUDIENCE[role]
    condition = SQ(audiences=audience.value) & SQ(visible_from__lte=on or today())
    if role is Role.DOCUMENTER:
        condition |= SQ(owner=user.pk)
    return condition
