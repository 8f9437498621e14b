from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from testimonies.gazetteer import places_loaded
        from testimonies.models import Place

        from .places import place_names_changed

        post_save.connect(place_names_changed, sender=Place)
        post_delete.connect(place_names_changed, sender=Place)
        places_loaded.connect(place_names_changed)
        from . import checks  # noqa: F401  (registers the deploy checks)
        from .whoosh_files import read_compound_segments_in_place

        read_compound_segments_in_place()
