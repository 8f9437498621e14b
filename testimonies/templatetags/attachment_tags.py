"""`{% attachment_panel testimony next as panel %}`: the attachments a page
shows, for templates included where the view did not prepare them (the
recording wizard's step, the testimony and review pages).

The tag only calls the selector: what the user may see and do is decided by
testimonies.policy there, never here.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from testimonies import policy
from testimonies.attachments.forms import AttachmentForm
from testimonies.attachments.selectors import AttachmentCard, attachment_cards
from testimonies.policy import Action

register = template.Library()


@dataclass
class AttachmentPanel:
    cards: list[AttachmentCard]
    may_attach: bool
    form: AttachmentForm | None
    action: str
    next: str


@register.simple_tag(takes_context=True)
def attachment_panel(context, testimony, next_url=""):
    """The cards of `testimony`'s attachments for the requesting user, and
    the upload form (the view's bound one, `attachment_form`, when it
    re-shows errors) if they may attach files."""
    user = context["request"].user
    may_attach = policy.allows(user, Action.ATTACH, testimony)
    form = None
    if may_attach:
        form = context.get("attachment_form") or AttachmentForm(
            initial={"next": next_url}
        )
    action = reverse(
        "testimonies:attachments", kwargs={"public_id": testimony.public_id}
    )
    if next_url:
        # Also in the address: a file refused for its size is refused before
        # the body (and the form's own `next`) is read.
        action = f"{action}?{urlencode({'next': next_url})}"
    return AttachmentPanel(
        cards=attachment_cards(testimony=testimony, user=user),
        may_attach=may_attach,
        form=form,
        action=action,
        next=next_url,
    )
