"""The reader's own notes and collections on a testimony's page
(testimonies.core.panels, registered when the app is ready)."""

from archive.roles import role_of
from research.access import RESEARCH_ROLES
from research.forms import CollectionPickForm, NoteForm
from research.selectors import research_kept
from testimonies.core.panels import TestimonyPanel

PANEL_TEMPLATE = "research/includes/testimony_panel.html"


def research_panel_context(
    kept, *, next_url: str, note_form=None, pick_form=None
) -> dict:
    """What the panel's template shows: the reader's notes and collections
    around the testimony, the forms, and where each form comes back to."""
    return {
        "research": kept,
        "note_form": note_form or NoteForm(),
        "pick_form": pick_form or CollectionPickForm(collections=kept.others),
        "next": next_url,
    }


def research_testimony_panel(*, testimony, user) -> TestimonyPanel | None:
    """The panel for readers who keep research tools (the testimony page
    shows it only to a user who may read the testimony)."""
    if role_of(user) not in RESEARCH_ROLES:
        return None
    kept = research_kept(testimony=testimony, user=user)
    return TestimonyPanel(
        PANEL_TEMPLATE,
        research_panel_context(kept, next_url=testimony.get_absolute_url()),
    )
