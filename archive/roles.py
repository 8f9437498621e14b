"""The archive's roles (docs/operations.md, Accounts and second factors).

Roles are Django groups with exactly these names. A superuser acts as a
moderator; anonymous visitors, and signed-in users with no role, are the public.
"""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    PUBLIC = "public"
    RESEARCHER = "researcher"
    DOCUMENTER = "documenter"
    MODERATOR = "moderator"

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.PUBLIC: _("Public"),
    Role.RESEARCHER: _("Researcher"),
    Role.DOCUMENTER: _("Documenter"),
    Role.MODERATOR: _("Moderator"),
}

# Group names created by archive/migrations/0001_roles.py. Order is rank:
# a user in several groups acts with the highest one.
GROUP_ROLES = (Role.MODERATOR, Role.DOCUMENTER, Role.RESEARCHER)


def role_of(user) -> Role:
    """The one role this user acts with, highest first."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Role.PUBLIC
    if user.is_superuser:
        return Role.MODERATOR
    # Cached on the user object: asked several times per request.
    if not hasattr(user, "_archive_role"):
        user._archive_role = role_of_groups(user.groups.values_list("name", flat=True))
    return user._archive_role


def role_remember(user, group_names) -> None:
    """Keep on `user` the role its group names give, read with the account
    itself (archive.authentication): role_of then asks nothing more."""
    user._archive_role = role_of_groups(group_names)


def role_of_groups(names) -> Role:
    """The role that these group names give, highest first."""
    names = set(names)
    return next((role for role in GROUP_ROLES if role.value in names), Role.PUBLIC)
