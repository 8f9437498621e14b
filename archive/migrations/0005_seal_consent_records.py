"""Consent records written before the audit chain get their seal: one entry
each, so that verify_audit can tell them from rows added by hand later."""

from django.db import migrations
from django.utils import timezone


def seal_existing_consent_records(apps, schema_editor):
    from archive.audit import GENESIS, entry_digest, record_digest

    AuditEntry = apps.get_model("archive", "AuditEntry")
    ConsentRecord = apps.get_model("testimonies", "ConsentRecord")
    head = AuditEntry.objects.order_by("-pk").values_list("digest", flat=True).first()
    for record in ConsentRecord.objects.order_by("pk").select_related("testimony"):
        entry = AuditEntry(
            actor_label="migration",
            action="consent_recorded",
            target=record.testimony.public_id,
            detail="sealed when the audit chain began",
            at=timezone.now(),
            previous_digest=head or GENESIS,
            subject_type="testimonies.consentrecord",
            subject_id=str(record.pk),
            subject_digest=record_digest(record),
        )
        entry.digest = entry_digest(entry)
        entry.save()
        head = entry.digest


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0004_audit_chain"),
        ("testimonies", "0001_squashed_0017_consent_images"),
    ]

    operations = [
        migrations.RunPython(seal_existing_consent_records, migrations.RunPython.noop)
    ]
