"""Writes behind the accounts pages: roles, unlocking, second factors."""

import math

from axes.utils import reset as axes_reset
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import policy
from .audit import audit_record
from .models import AuditAction
from .roles import GROUP_ROLES, Role, role_of_groups
from .selectors import totp_devices_confirmed

# How roles are named in the audit log: "none" rather than "public" for an
# account with no role, as the roles page says.
AUDIT_ROLE_NAMES = {Role.PUBLIC: "none"}


def _audit_name(role: Role) -> str:
    return AUDIT_ROLE_NAMES.get(role, role.value)


def _require_moderator(user) -> None:
    # The shared policy decides, second factor included.
    if not policy.sees_everything(user):
        raise PermissionDenied


@transaction.atomic
def user_role_set(*, user, role: Role, changed_by) -> Role:
    """Give `user` exactly one role (Role.PUBLIC: none) and return the old one.

    Roles are the groups of CONTRACTS.md section 2; other groups are left
    alone. A superuser's role comes from the flag, not a group, and is not
    changed here; nobody removes their own moderator role (so the archive is
    never left without the moderator doing the change). Audited as
    "old -> new" under the account's username.
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
        return old
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
    return old


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


@transaction.atomic
def totp_devices_reset(*, user, reset_by) -> int:
    """Remove every authenticator app of `user` (a lost or stolen phone):
    they set up a new one at their next moderator page. Not for one's own
    account, so that a session taken over cannot swap the owner's app."""
    _require_moderator(reset_by)
    if user.pk == reset_by.pk:
        raise ValidationError(
            _("Ask another moderator to reset your own second factor."),
            code="own_second_factor",
        )
    removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
    if removed:
        audit_record(
            action=AuditAction.SECOND_FACTOR_RESET,
            target=user.get_username(),
            actor=reset_by,
            detail=f"{removed} authenticator app(s) removed",
        )
    return removed


@transaction.atomic
def totp_device_enrol(*, user) -> TOTPDevice:
    """The authenticator app `user` is setting up: an unconfirmed device,
    created on first call and the same one afterwards (so that the key the
    person already scanned stays valid until they confirm it)."""
    device = (
        TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    )
    if device is None:
        device = TOTPDevice(user=user, name="authenticator app", confirmed=False)
        device.full_clean()
        device.save()
    return device


def _totp_match(devices, token: str) -> TOTPDevice:
    """The first of `devices` that accepts `token`, or a ValidationError.

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
                return device
    if not tried and throttled_until is not None:
        seconds = max(1, math.ceil((throttled_until - timezone.now()).total_seconds()))
        raise ValidationError(
            _("Too many wrong codes. Wait %(seconds)d seconds, then try again.")
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
    """Confirm an enrolling device with a code from it; audited.

    Not one transaction: a wrong code must stay counted for throttling
    although the call fails. Other unconfirmed devices of the user (keys
    shown but never confirmed) are removed.
    """
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
