from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResearchConfig(AppConfig):
    name = "research"
    verbose_name = _("Researchers' tools")

    def ready(self):
        from django.db.models.signals import post_save

        from research.panels import research_testimony_panel
        from research.signals import testimony_saved
        from testimonies.core.panels import testimony_panel_register
        from testimonies.models import Testimony

        post_save.connect(
            testimony_saved, sender=Testimony, dispatch_uid="research-erasure"
        )
        testimony_panel_register(research_testimony_panel)
