"""Who may open a page at all, by role, decided on the server per request.

Which testimonies a user may see is testimonies.policy's business; these
decorators only guard the role-only pages (queue, audit log, roles, exports).
Moderators reach their pages only after a second factor in this session:
their pages hold identities, erasure and every witness's consent.
"""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from archive.roles import Role, role_of


def second_factor_verified(user) -> bool:
    """Has this session passed a second factor? (django_otp's middleware.)"""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def second_factor_redirect(request):
    """Where to send a moderator whose session has not passed a second factor
    (None when it has, or when the user is no moderator): for pages that
    moderators and others share, such as a withdrawal."""
    if not needs_second_factor(request.user):
        return None
    query = urlencode({"next": request.get_full_path()})
    return redirect(f"{reverse('two-factor')}?{query}")


def needs_second_factor(user) -> bool:
    """A moderator whose session has not passed a second factor."""
    return role_of(user) is Role.MODERATOR and not second_factor_verified(user)


def second_factor_first(view):
    """For pages that moderators share with others (consent, withdrawal, the
    reveal, redaction marks): a moderator whose session has not passed the
    second factor is sent to give it before anything is looked up, since
    until then the policy reads them as a researcher, who would get a 404."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        return second_factor_redirect(request) or view(request, *args, **kwargs)

    return guarded


def role_required(*roles: Role):
    """Open the view to the given roles only.

    Anonymous visitors are sent to log in; a signed-in user with another role
    gets 403 (these pages are not secrets, what they show is). A moderator
    without a verified second factor is sent to verify it first.
    """

    def decorator(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            role = role_of(user)
            if role not in roles:
                raise PermissionDenied
            return second_factor_redirect(request) or view(request, *args, **kwargs)

        return guarded

    return decorator


moderator_required = role_required(Role.MODERATOR)
