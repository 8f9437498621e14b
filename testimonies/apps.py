from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from archive.audit_actions import audit_actions_register, audit_details_register
from testimonies.audit_actions import AuditAction
from testimonies.incidents.audit_actions import IncidentAuditAction


class TestimoniesConfig(AppConfig):
    name = "testimonies"
    verbose_name = _("Testimonies")

    def ready(self):
        audit_actions_register(AuditAction)
        audit_actions_register(IncidentAuditAction)
        from django.db.models.signals import post_delete, post_save

        from testimonies.audit_details import testimony_audit_details
        from testimonies.models import Place
        from testimonies.places.gazetteer import gazetteer_changed, places_loaded

        post_save.connect(gazetteer_changed, sender=Place)
        post_delete.connect(gazetteer_changed, sender=Place)
        places_loaded.connect(gazetteer_changed)
        audit_details_register(testimony_audit_details())
