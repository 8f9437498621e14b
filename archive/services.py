"""Writes behind the accounts pages: roles, unlocking, second factors,
moderators' enrolment links."""

import datetime
import hashlib
import math
import secrets
import time
from dataclasses import dataclass
from importlib import import_module

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from archive.audit import audit_record
from archive.audit_actions import AuditAction
from archive.models import (
    AccountSettings,
    EnrolmentLink,
    Invitation,
    PasswordResetLink,
)
from archive.roles import GROUP_ROLES, Role, role_of, role_of_groups
from archive.selectors import password_reset_reference_digest, totp_devices_confirmed
from testimonies import policy

# How roles are named in the audit log: "none" rather than "public" for an
# account with no role, as the roles page says.
AUDIT_ROLE_NAMES = {Role.PUBLIC: "none"}


def _audit_name(role: Role) -> str:
    return AUDIT_ROLE_NAMES.get(role, role.value)


def _require_moderator(user) -> None:
    # The shared policy decides, second factor included.
    if not policy.sees_everything(user):
        raise PermissionDenied


@dataclass(frozen=True)
class RoleChange:
    old: Role
    # Promotion to moderator: the one-time enrolment link for the account's
    # second factor (shown once, to the moderator who promoted), else "".
    enrolment_token: str = ""


@transaction.atomic
def user_role_set(*, user, role: Role, changed_by) -> RoleChange:
    """Give `user` exactly one role (Role.PUBLIC: none).

    Roles are the archive's role groups (archive.roles); other groups are left
    alone. A superuser's role comes from the flag, not a group, and is not
    changed here; nobody removes their own moderator role (so the archive is
    never left without the moderator doing the change). Audited as
    "old -> new" under the account's username.

    A promotion to moderator removes any authenticator app the account set
    up for itself and issues an enrolment link instead (and nothing else):
    until it is used, the account reads as a researcher. A demotion ends the
    account's unused links.
    """
    _require_moderator(changed_by)
    if user.is_superuser:
        raise ValidationError(
            _("%(username)s is a superuser: their role cannot be changed here.")
            % {"username": user.get_username()},
            code="superuser",
        )
    if user.pk == changed_by.pk and role is not Role.MODERATOR:
        raise ValidationError(
            _("You cannot remove your own moderator role. Ask another moderator."),
            code="own_role",
        )
    old = role_of_groups(user.groups.values_list("name", flat=True))
    if old is role:
        return RoleChange(old=old)
    user.groups.remove(*Group.objects.filter(name__in=[r.value for r in GROUP_ROLES]))
    if role is not Role.PUBLIC:
        user.groups.add(Group.objects.get(name=role.value))
    user.__dict__.pop("_archive_role", None)  # role_of's per-object cache
    audit_record(
        action=AuditAction.ROLE_CHANGED,
        target=user.get_username(),
        actor=changed_by,
        detail=f"{_audit_name(old)} -> {_audit_name(role)}",
    )
    if role is Role.MODERATOR:
        _devices_remove(user=user, by=changed_by, why="promoted to moderator")
        token = enrolment_link_issue(
            user=user, issued_by=changed_by, reason="promotion"
        )
        return RoleChange(old=old, enrolment_token=token)
    if old is Role.MODERATOR:
        _links_end(user)
    return RoleChange(old=old)


@transaction.atomic
def user_unlock(*, username: str, unlocked_by) -> int:
    """Clear the failed logins that lock `username` out, from every address.

    Returns how many failure records were cleared; audited when there were
    any.
    """
    _require_moderator(unlocked_by)
    cleared = axes_reset(username=username)
    if cleared:
        audit_record(
            action=AuditAction.ACCOUNT_UNLOCKED,
            target=username,
            actor=unlocked_by,
            detail=f"unlocked: {cleared} failed-login record(s) cleared",
        )
    return cleared


@dataclass(frozen=True)
class SecondFactorReset:
    removed: int  # authenticator apps removed
    # For a moderator account: the one-time enrolment link of its new app.
    enrolment_token: str = ""


@transaction.atomic
def totp_devices_reset(*, user, reset_by) -> SecondFactorReset:
    """Remove every authenticator app of `user` (a lost or stolen phone).
    Not for one's own account, so that a session taken over cannot swap the
    owner's app.

    Other roles set up a new app themselves. A moderator account gets an
    enrolment link instead (and nothing else), which the moderator resetting
    passes on out of band; with no app, the account reads as a researcher
    until the link is used, and the link asks for the account's password
    too: resetting someone's app never lets the resetter in."""
    _require_moderator(reset_by)
    if user.pk == reset_by.pk:
        raise ValidationError(
            _("Ask another moderator to reset your own second factor."),
            code="own_second_factor",
        )
    removed = _devices_remove(user=user, by=reset_by, why="reset")
    token = ""
    if role_of(user) is Role.MODERATOR:
        token = enrolment_link_issue(user=user, issued_by=reset_by, reason="reset")
    return SecondFactorReset(removed=removed, enrolment_token=token)


def _devices_remove(*, user, by, why: str) -> int:
    removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
    if removed:
        audit_record(
            action=AuditAction.SECOND_FACTOR_RESET,
            target=user.get_username(),
            actor=by,
            detail=f"{removed} authenticator app(s) removed ({why})",
        )
    return removed


# How long an enrolment link stays valid.
ENROLMENT_LINK_HOURS = 24


def enrolment_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _links_end(user) -> None:
    """End the account's unused enrolment links (a new one replaces them, a
    demotion ends them)."""
    now = timezone.now()
    EnrolmentLink.objects.filter(user=user, used_at__isnull=True).filter(
        expires_at__gt=now
    ).update(expires_at=now)


@transaction.atomic
def enrolment_link_issue(
    *, user, issued_by=None, issued_by_label: str = "", reason: str
) -> str:
    """A new one-time enrolment link for a moderator account; returns its
    token, to be shown once to whoever issued it and passed on out of band.

    Issued by a moderator who has passed their own second factor
    (`issued_by`), or by an operator's command (`issued_by_label`, to start
    an installation). Ends the account's earlier unused links. Audited;
    only the token's SHA-256 is kept."""
    if issued_by is not None:
        _require_moderator(issued_by)
    elif not issued_by_label:
        raise PermissionDenied
    if role_of(user) is not Role.MODERATOR:
        raise ValidationError(
            _("Only moderator accounts are enrolled with a link."),
            code="not_moderator",
        )
    _links_end(user)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = EnrolmentLink(
        user=user,
        token_sha256=enrolment_token_digest(token),
        reason=reason,
        issued_by=issued_by,
        issued_by_label=issued_by_label,
        issued_at=now,
        expires_at=now + datetime.timedelta(hours=ENROLMENT_LINK_HOURS),
    )
    link.full_clean()
    link.save()
    audit_record(
        action=AuditAction.ENROLMENT_LINK_ISSUED,
        target=user.get_username(),
        actor=issued_by,
        actor_label=issued_by_label,
        detail=f"{reason}; valid until {link.expires_at.isoformat(timespec='minutes')}",
    )
    return token


def enrolment_link_find(*, token: str, user) -> EnrolmentLink | None:
    """The unused, unexpired link of `user` that `token` opens, if any."""
    return EnrolmentLink.objects.filter(
        token_sha256=enrolment_token_digest(token.strip()),
        user=user,
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).first()


def enrolment_device_confirm(*, link: EnrolmentLink, device, token: str):
    """Confirm the app set up through `link` with a code from it, and use
    the link up: it enrols one app, once. ValidationError when the code is
    wrong or the link was used, expired or replaced meanwhile. Audited."""
    device = _totp_match([device], token)
    with transaction.atomic():
        link = EnrolmentLink.objects.select_for_update().get(pk=link.pk)
        if (
            link.used_at is not None
            or link.expires_at <= timezone.now()
            or link.user_id != device.user_id
        ):
            raise ValidationError(
                _("This enrolment link has been used or has expired."),
                code="link_spent",
            )
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        device.confirmed = True
        device.full_clean()
        device.save()
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        issuer = (
            link.issued_by.get_username() if link.issued_by else link.issued_by_label
        )
        audit_record(
            action=AuditAction.SECOND_FACTOR_ADDED,
            target=device.user.get_username(),
            actor=device.user,
            detail=f"authenticator app (TOTP), through a link issued by {issuer}",
        )
    return device


@transaction.atomic
def totp_device_enrol(*, user, link: EnrolmentLink | None = None) -> TOTPDevice:
    """The authenticator app `user` is setting up: an unconfirmed device,
    created on first call and the same one afterwards (so that the key the
    person already scanned stays valid until they confirm it).

    A moderator account sets one up only through an enrolment `link` of its
    own (enrolment_link_issue): anyone who has a moderator's password alone
    must not be able to add their own app."""
    if role_of(user) is Role.MODERATOR and (link is None or link.user_id != user.pk):
        raise PermissionDenied
    device = (
        TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    )
    if device is None:
        device = TOTPDevice(user=user, name="authenticator app", confirmed=False)
        device.full_clean()
        device.save()
    return device


# A lock this short (after a first or second wrong code) is waited out here
# rather than refused: a person who mistyped and at once typed again would
# otherwise read "wait 1 second" for a wait already over. No code is checked
# before the lock ends, so throttling still holds.
SHORT_LOCK_SECONDS = 2


def _totp_try(devices, token: str) -> tuple[TOTPDevice | None, bool, object]:
    """(the device that accepts `token` or None, whether any device checked
    it, the earliest end of the locks that kept the others from it).

    Each check runs in its own transaction with the device row locked, and
    a failure is committed before the error is raised: django-otp's
    throttling (1, 2, 4, 8... seconds between tries) must count it.
    """
    tried, throttled_until = False, None
    for candidate in devices:
        with transaction.atomic():
            device = TOTPDevice.objects.select_for_update().get(pk=candidate.pk)
            allowed, extra = device.verify_is_allowed()
            if not allowed:
                until = (extra or {}).get("locked_until")
                if until and (throttled_until is None or until < throttled_until):
                    throttled_until = until
                continue
            tried = True
            if device.verify_token(token):
                return device, True, None
    return None, tried, throttled_until


def _totp_match(devices, token: str) -> TOTPDevice:
    """The first of `devices` that accepts `token`, or a ValidationError
    (a wrong code, or a wait still to run, counted in seconds)."""
    device, tried, throttled_until = _totp_try(devices, token)
    if device is None and not tried and throttled_until is not None:
        wait = (throttled_until - timezone.now()).total_seconds()
        if wait <= SHORT_LOCK_SECONDS:
            time.sleep(max(0.0, wait))
            device, tried, throttled_until = _totp_try(devices, token)
    if device is not None:
        return device
    if not tried and throttled_until is not None:
        seconds = max(1, math.ceil((throttled_until - timezone.now()).total_seconds()))
        raise ValidationError(
            ngettext(
                "Too many wrong codes. Wait %(seconds)d second, then try again.",
                "Too many wrong codes. Wait %(seconds)d seconds, then try again.",
                seconds,
            )
            % {"seconds": seconds},
            code="throttled",
        )
    raise ValidationError(
        _(
            "That code is not right. Enter the code your authenticator app shows "
            "now, and check that your phone's clock is correct."
        ),
        code="invalid_code",
    )


def totp_device_confirm(*, device: TOTPDevice, token: str) -> TOTPDevice:
    """Confirm an enrolling device with a code from it; audited. Not for a
    moderator account, which confirms through its enrolment link
    (enrolment_device_confirm).

    Not one transaction: a wrong code must stay counted for throttling
    although the call fails. Other unconfirmed devices of the user (keys
    shown but never confirmed) are removed.
    """
    if role_of(device.user) is Role.MODERATOR:
        raise PermissionDenied
    device = _totp_match([device], token)
    with transaction.atomic():
        device.confirmed = True
        device.full_clean()
        device.save()
        TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
        audit_record(
            action=AuditAction.SECOND_FACTOR_ADDED,
            target=device.user.get_username(),
            actor=device.user,
            detail="authenticator app (TOTP)",
        )
    return device


def totp_verify(*, user, token: str) -> TOTPDevice:
    """The confirmed device of `user` that accepts `token`, or a
    ValidationError (wrong code, or throttled after wrong codes)."""
    devices = list(totp_devices_confirmed(user=user))
    if not devices:
        raise ValidationError(_("You have no authenticator app yet."), code="no_device")
    return _totp_match(devices, token)


# --- Password reset by mail ------------------------------------------------


def password_reset_sent_record(*, users) -> None:
    """Audit one entry per account a reset link was mailed to. Nothing is
    written for an address no active account has: the log must not become a
    list of addresses people tried."""
    for user in users:
        audit_record(
            action=AuditAction.PASSWORD_RESET_SENT,
            target=user.get_username(),
        )


def password_reset_link_issue(*, user) -> str:
    """A new random reference for one mailed reset link to `user`, returned
    once (only its SHA-256 is kept). Links past PASSWORD_RESET_TIMEOUT, which
    name nobody any more, are deleted on the way."""
    now = timezone.now()
    PasswordResetLink.objects.filter(
        issued_at__lte=now - datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    ).delete()
    reference = secrets.token_urlsafe(24)
    PasswordResetLink.objects.create(
        user=user,
        reference_sha256=password_reset_reference_digest(reference),
        issued_at=now,
    )
    return reference


def password_reset_links_end(*, user) -> None:
    """Forget every reset link of `user` (once a password is set through one:
    Django's token would fail anyway, the reference need not be kept)."""
    PasswordResetLink.objects.filter(user=user).delete()


def password_reset_used_record(*, user) -> None:
    """Audit a password set through a reset link (by the account itself)."""
    audit_record(
        action=AuditAction.PASSWORD_RESET_USED,
        target=user.get_username(),
        actor=user,
    )


# --- Deactivating and reactivating accounts -------------------------------


def _sessions_end(user) -> int:
    """Delete every stored session signed in as `user`; returns how many.

    Django would already read such a session as anonymous once the account
    is inactive; deleting it also ends what the session held (a second
    factor passed, a recording under way) at once, on every server process.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        # A session store with no table (cache or signed cookies): the
        # inactive account is read as anonymous on its next request.
        return 0
    ended = 0
    sessions = store.get_model_class().objects.filter(expire_date__gt=timezone.now())
    for session in sessions.iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def user_active_set(*, user, active: bool, changed_by) -> bool:
    """Deactivate (`active=False`) or reactivate an account; returns whether
    anything changed. Deactivation ends the account's sessions and unused
    enrolment links at once; its testimonies, roles and audit entries stay.
    Moderators only, never for their own account nor a superuser's (the
    policy's Action.SET_ACCOUNT_ACTIVE). Audited."""
    if not policy.allows(changed_by, policy.Action.SET_ACCOUNT_ACTIVE, user):
        raise PermissionDenied
    if user.is_active == active:
        return False
    user.is_active = active
    user.save(update_fields=["is_active"])
    action, detail = AuditAction.ACCOUNT_REACTIVATED, ""
    if not active:
        _links_end(user)
        action = AuditAction.ACCOUNT_DEACTIVATED
        detail = f"{_sessions_end(user)} session(s) ended"
    audit_record(
        action=action,
        target=user.get_username(),
        actor=changed_by,
        detail=detail,
    )
    return True


# --- Invitations -------------------------------------------------------------

# How long an invitation's link stays valid.
INVITATION_HOURS = 72
# The roles an invitation may give (an account with no role needs none).
INVITATION_ROLES = (Role.RESEARCHER, Role.DOCUMENTER, Role.MODERATOR)


@dataclass(frozen=True)
class InvitationSent:
    invitation: Invitation
    # For a moderator's invitation: the enrolment code, shown once to the
    # inviting moderator (never mailed, never stored in clear), else "".
    enrolment_code: str = ""


def _username_taken(username: str) -> bool:
    User = get_user_model()
    return (
        User._default_manager.filter(
            **{f"{User.USERNAME_FIELD}__iexact": username}
        ).exists()
        or Invitation.objects.filter(
            username__iexact=username,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).exists()
    )


def _invitation_check(*, email: str, username: str, role: Role) -> None:
    if role not in INVITATION_ROLES:
        raise ValidationError(_("Choose a role for the invitation."), code="role")
    if _username_taken(username):
        raise ValidationError(
            _("An account or a pending invitation already has this username."),
            code="username_taken",
        )
    if get_user_model()._default_manager.filter(email__iexact=email).exists():
        raise ValidationError(
            _("An account already has this e-mail address."), code="email_taken"
        )


@transaction.atomic
def invitation_send(
    *, email: str, username: str, role: Role, invited_by, link_base: str
) -> InvitationSent:
    """Invite `email` to a new account `username` with `role`, by a mail
    holding a one-time link (`link_base` + "#" + token), valid for
    INVITATION_HOURS. Moderators only, after their second factor (the
    policy's Action.INVITE). Audited as sent; the token is in the mail
    alone. If the mail cannot be sent, nothing is kept."""
    if not policy.allows(invited_by, policy.Action.INVITE):
        raise PermissionDenied
    _invitation_check(email=email, username=username, role=role)
    token = secrets.token_urlsafe(32)
    code = secrets.token_urlsafe(12) if role is Role.MODERATOR else ""
    now = timezone.now()
    invitation = Invitation(
        email=email,
        username=username,
        role=role.value,
        token_sha256=enrolment_token_digest(token),
        enrolment_code_sha256=enrolment_token_digest(code) if code else "",
        invited_by=invited_by,
        sent_at=now,
        expires_at=now + datetime.timedelta(hours=INVITATION_HOURS),
    )
    invitation.full_clean()
    invitation.save()
    audit_record(
        action=AuditAction.INVITATION_SENT,
        target=username,
        actor=invited_by,
        detail=(
            f"{role.value}; valid until "
            f"{invitation.expires_at.isoformat(timespec='minutes')}"
        ),
    )
    context = {
        "username": username,
        "role": role.label,
        "link": f"{link_base}#{token}",
        "hours": INVITATION_HOURS,
        "inviter": invited_by.get_username(),
        "site_name": settings.ARCHIVE_NAME,
    }
    # Raises on a mail server that refuses or does not answer: the
    # transaction then keeps neither the invitation nor its audit entry.
    send_mail(
        subject=render_to_string(
            "registration/invitation_subject.txt", context
        ).strip(),
        message=render_to_string("registration/invitation_email.txt", context),
        from_email=None,
        recipient_list=[email],
    )
    return InvitationSent(invitation=invitation, enrolment_code=code)


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, withdrawn_by) -> bool:
    """End an invitation not used yet (a mistyped address, a change of
    mind): its link stops working at once and its username is free again.
    Moderators only (the policy's Action.INVITE). Audited; returns whether
    anything changed (an invitation used or expired already is left)."""
    if not policy.allows(withdrawn_by, policy.Action.INVITE):
        raise PermissionDenied
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    now = timezone.now()
    if invitation.used_at is not None or invitation.expires_at <= now:
        return False
    invitation.expires_at = now
    invitation.save(update_fields=["expires_at"])
    audit_record(
        action=AuditAction.INVITATION_WITHDRAWN,
        target=invitation.username,
        actor=withdrawn_by,
    )
    return True


def invitation_find(*, token: str) -> Invitation | None:
    """The invitation `token` opens, used or expired ones included (the
    caller tells them apart with invitation_refusal)."""
    if not token.strip():
        return None
    return (
        Invitation.objects.select_related("invited_by")
        .filter(token_sha256=enrolment_token_digest(token.strip()))
        .first()
    )


def invitation_refusal(invitation: Invitation) -> str:
    """Why `invitation` can no longer be used ("" when it can): used,
    expired, or its moderator may no longer invite (demoted or deactivated
    since)."""
    if invitation.used_at is not None:
        return "already used"
    if invitation.expires_at <= timezone.now():
        return "expired"
    if not policy.allows(invitation.invited_by, policy.Action.INVITE):
        return "inviter may no longer invite"
    return ""


def invitation_refused_record(*, invitation: Invitation, why: str) -> None:
    """Audit a refused use of an invitation's link."""
    audit_record(
        action=AuditAction.INVITATION_REFUSED,
        target=invitation.username,
        detail=why,
    )


@dataclass(frozen=True)
class InvitationAccepted:
    user: object
    # For a moderator: the enrolment link the new account sets up its app
    # through, in the same flow.
    enrolment_link: EnrolmentLink | None = None


def invitation_accept(
    *, invitation: Invitation, password: str, enrolment_code: str = ""
) -> InvitationAccepted:
    """Create the invited account with its password and role, and use the
    invitation up. A moderator's invitation also needs its enrolment code
    (passed on apart from the mail), and gets an enrolment link for the
    account's authenticator app, used at once by the same flow.
    ValidationError when the invitation was used, expired or its moderator
    may no longer invite (audited as refused), or the code is wrong.
    Audited as used."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("invited_by")
            .get(pk=invitation.pk)
        )
        why = invitation_refusal(invitation)
        if not why and invitation.enrolment_code_sha256:
            given = enrolment_token_digest(enrolment_code.strip())
            if not secrets.compare_digest(given, invitation.enrolment_code_sha256):
                raise ValidationError(
                    _("The enrolment code is not right."), code="enrolment_code"
                )
        if not why:
            return _invitation_use(invitation=invitation, password=password)
    invitation_refused_record(invitation=invitation, why=why)
    raise ValidationError(
        _("This invitation has been used or has expired."), code="spent"
    )


def _invitation_use(*, invitation: Invitation, password: str) -> InvitationAccepted:
    User = get_user_model()
    if User._default_manager.filter(
        **{f"{User.USERNAME_FIELD}__iexact": invitation.username}
    ).exists():
        raise ValidationError(
            _("An account already has this username. Ask for a new invitation."),
            code="username_taken",
        )
    user = User(**{User.USERNAME_FIELD: invitation.username}, email=invitation.email)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    role = Role(invitation.role)
    user.groups.add(Group.objects.get(name=role.value))
    invitation.used_at = timezone.now()
    invitation.account = user
    invitation.save(update_fields=["used_at", "account"])
    audit_record(
        action=AuditAction.INVITATION_USED,
        target=invitation.username,
        actor=user,
        detail=role.value,
    )
    link = None
    if role is Role.MODERATOR:
        token = enrolment_link_issue(
            user=user, issued_by=invitation.invited_by, reason="invitation"
        )
        link = EnrolmentLink.objects.get(token_sha256=enrolment_token_digest(token))
    return InvitationAccepted(user=user, enrolment_link=link)


# --- Account settings ----------------------------------------------------------


@transaction.atomic
def account_settings_save(
    *, user, time_zone: str, month_names: str | None = None
) -> AccountSettings:
    """Save what `user` chose on their own settings page (`month_names`
    None: left as it was)."""
    chosen = AccountSettings.objects.filter(user=user).first() or AccountSettings(
        user=user
    )
    chosen.time_zone = time_zone
    if month_names is not None:
        chosen.month_names = month_names
    chosen.full_clean()
    chosen.save()
    return chosen
