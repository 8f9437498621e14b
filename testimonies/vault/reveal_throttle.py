"""Counting wrong passwords on the identity reveal page.

A stolen session (a computer left open) must not be able to guess its way
through the password the reveal page asks for. Wrong passwords are counted
per account in the default cache; at ARCHIVE_REVEAL_FAILURE_LIMIT the page
refuses the account until ARCHIVE_REVEAL_COOL_OFF has passed since the last
wrong password, without checking any password meanwhile. The lockout is
written to the audit chain so that moderators see it.
"""

from django.conf import settings
from django.core.cache import cache

from archive.audit import audit_record
from archive.audit_actions import AuditAction


def _key(user) -> str:
    return f"identity-reveal-failures:{user.pk}"


def _cool_off_seconds() -> int:
    return int(settings.ARCHIVE_REVEAL_COOL_OFF.total_seconds())


def reveal_cool_off_minutes() -> int:
    return max(1, _cool_off_seconds() // 60)


def reveal_locked(user) -> bool:
    """Has this account used up its wrong passwords for now?"""
    return cache.get(_key(user), 0) >= settings.ARCHIVE_REVEAL_FAILURE_LIMIT


def reveal_failure(user) -> bool:
    """Count one wrong password; returns whether the account is now locked.
    The count lasts the cool-off from the latest wrong password."""
    key, timeout = _key(user), _cool_off_seconds()
    cache.add(key, 0, timeout)
    try:
        failures = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout)
        failures = 1
    cache.touch(key, timeout)
    limit = settings.ARCHIVE_REVEAL_FAILURE_LIMIT
    if failures == limit:
        audit_record(
            action=AuditAction.ACCOUNT_LOCKED,
            target=user.get_username(),
            actor=user,
            detail=f"identity reveal refused after {limit} wrong passwords",
        )
    return failures >= limit


def reveal_reset(user) -> None:
    """The right password: start counting afresh."""
    cache.delete(_key(user))
