"""Reads behind the archive's own pages: the audit log, accounts, lockouts."""

import datetime
import hashlib
from dataclasses import dataclass

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from archive.models import (
    DEFAULT_TIME_ZONE,
    AccountSettings,
    AuditEntry,
    EnrolmentLink,
    Invitation,
    MonthNames,
    PasswordResetLink,
)
from archive.roles import Role, role_of_groups, role_remember


def audit_entries(*, action="", actor="", target="", date_from=None, date_to=None):
    """Audit entries, newest first, narrowed by the log page's filters."""
    entries = AuditEntry.objects.select_related("actor").order_by("-pk")
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(
            Q(actor__username__iexact=actor) | Q(actor_label__iexact=actor)
        )
    if target:
        entries = entries.filter(target__iexact=target)
    if date_from:
        entries = entries.filter(at__date__gte=date_from)
    if date_to:
        entries = entries.filter(at__date__lte=date_to)
    return entries


@dataclass(frozen=True)
class AccountRow:
    user: object
    role: Role
    locked: bool
    second_factor: bool


def account_list() -> list[AccountRow]:
    """Every account with the role it was given, whether it is locked out
    and whether it has confirmed an authenticator app.

    The role is the one granted (groups, or superuser), shown even for an
    inactive account, which acts as the public until it is active again.
    """
    locked = locked_usernames()
    with_device = set(
        TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True)
    )
    users = get_user_model().objects.order_by("username").prefetch_related("groups")
    return [
        AccountRow(
            user=user,
            role=(
                Role.MODERATOR
                if user.is_superuser
                else role_of_groups(group.name for group in user.groups.all())
            ),
            locked=user.get_username() in locked,
            second_factor=user.pk in with_device,
        )
        for user in users
    ]


def _recent_attempts():
    """Failed-login records still inside the cool-off period."""
    return AccessAttempt.objects.filter(
        attempt_time__gte=timezone.now() - get_cool_off()
    )


def locked_usernames() -> set[str]:
    """Usernames locked out from at least one address right now.

    The same rule as django-axes applies to a login: failures for one
    username from one address, within the cool-off, reaching the limit.
    """
    return set(
        _recent_attempts()
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .values_list("username", flat=True)
    )


def lockout_ends(*, username, ip_address) -> datetime.datetime:
    """When a locked-out username may try again from this address."""
    last = (
        _recent_attempts()
        .filter(username=username, ip_address=ip_address)
        .aggregate(last=Max("attempt_time"))["last"]
    )
    return (last or timezone.now()) + get_cool_off()


def enrolment_link_in_use(*, pk, user) -> EnrolmentLink | None:
    """The unused, unexpired enrolment link `pk` of `user`, if it is one."""
    if pk is None:
        return None
    return EnrolmentLink.objects.filter(
        pk=pk, user=user, used_at__isnull=True, expires_at__gt=timezone.now()
    ).first()


def totp_devices_confirmed(*, user):
    """The authenticator apps this user has confirmed, oldest first."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk")


def invitation_in_session(*, pk) -> Invitation | None:
    """The invitation a session is accepting (`pk` from the session), if
    any, whatever its state: the service decides whether it may be used."""
    if pk is None:
        return None
    return Invitation.objects.select_related("invited_by").filter(pk=pk).first()


def invitation_pending_named(*, username: str) -> Invitation | None:
    """The unused, unexpired invitation to `username`, if any (at most one:
    invitation_send refuses a second)."""
    return (
        Invitation.objects.filter(
            username__iexact=username,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("-sent_at")
        .first()
    )


def invitations_pending() -> list[Invitation]:
    """Invitations not used yet, newest first, expired ones included (the
    accounts page shows them as expired until a new one replaces them)."""
    return list(
        Invitation.objects.filter(used_at__isnull=True)
        .select_related("invited_by")
        .order_by("-sent_at")
    )


def account_settings_of(*, user) -> AccountSettings:
    """The account's settings, or the defaults (unsaved) if it never chose."""
    return AccountSettings.objects.filter(user=user).first() or AccountSettings(
        user=user
    )


@dataclass(frozen=True)
class ReadingPreferences:
    """How an account's pages are written for it: the time zone times are
    shown in, and the Arabic month names dates are written with."""

    time_zone: str
    month_names: str


def account_reading_preferences(*, user) -> ReadingPreferences:
    """`user`'s reading preferences, or the archive's defaults for visitors
    and for accounts that never chose. A request's account comes with its
    settings already read (account_for_request); any other, one query."""
    chosen = None
    if user is not None and user.is_authenticated:
        try:
            chosen = user.archive_settings
        except AccountSettings.DoesNotExist:
            chosen = None
    return ReadingPreferences(
        time_zone=(chosen and chosen.time_zone) or DEFAULT_TIME_ZONE,
        month_names=(chosen and chosen.month_names) or MonthNames.SYRIAN,
    )


def account_for_request(*, user_id):
    """The account a session names, with its reading preferences read in the
    same query and its role in a second; None if there is no such account.
    Read afresh on every request: a role taken away or an account closed
    takes effect on the next one. (One query with the role as EXISTS
    subqueries costs Django more to build than the query it saves.)"""
    user = (
        get_user_model()
        ._default_manager.select_related("archive_settings")
        .filter(pk=user_id)
        .first()
    )
    if user is not None:
        role_remember(user, user.groups.values_list("name", flat=True))
    return user


def password_reset_reference_digest(reference: str) -> str:
    return hashlib.sha256(reference.encode()).hexdigest()


def password_reset_link_user(*, reference: str):
    """The active account a reset link's reference names, if the link is
    younger than PASSWORD_RESET_TIMEOUT; None otherwise (a reference never
    issued, an old link, or anything else put in its place)."""
    since = timezone.now() - datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    found = (
        PasswordResetLink.objects.filter(
            reference_sha256=password_reset_reference_digest(reference),
            issued_at__gt=since,
            user__is_active=True,
        )
        .select_related("user")
        .first()
    )
    return found.user if found else None
