"""Reads behind the identity reveal page. Access comes from testimonies.policy
only."""

from testimonies import policy
from testimonies.core.selectors import TestimonyNotVisible
from testimonies.models import Testimony, TestimonyStatus
from testimonies.policy import Action


def testimony_for_reveal(*, public_id: str, user) -> Testimony:
    """The testimony whose witness `user` may reveal from this page;
    TestimonyNotVisible otherwise, whether or not it exists."""
    testimony = (
        Testimony.objects.select_related("witness")
        .exclude(status=TestimonyStatus.ERASED)
        .filter(public_id=public_id)
        .first()
    )
    if testimony is None or not policy.allows(user, Action.REVEAL_IDENTITY, testimony):
        raise TestimonyNotVisible
    return testimony
