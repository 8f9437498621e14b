"""Panels that other apps add to the testimony page.

The testimonies app is below the apps that build on it (imports run one way),
so it cannot call them; an app that has something to show on a testimony's
page (a reader's own notes and collections: research) registers a maker
when it is ready, and the page shows what each maker returns for the
testimony and the reader. A maker asks the policy itself, and returns None
to show nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TestimonyPanel:
    """A template and its context, included in the testimony page."""

    template: str
    context: dict = field(default_factory=dict)


_makers: list[Callable[..., TestimonyPanel | None]] = []


def testimony_panel_register(maker: Callable[..., TestimonyPanel | None]) -> None:
    """Add `maker(*, testimony, user)` to the testimony page (once)."""
    if maker not in _makers:
        _makers.append(maker)


def testimony_panels(*, testimony, user) -> list[TestimonyPanel]:
    """The panels registered makers give for this testimony and reader."""
    panels = (maker(testimony=testimony, user=user) for maker in _makers)
    return [panel for panel in panels if panel is not None]
