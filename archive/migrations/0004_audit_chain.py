"""The audit log becomes a hash chain; entries written before are chained
in their order, so that verify_audit checks them from now on."""

from django.db import migrations, models


def chain_existing_entries(apps, schema_editor):
    from archive.audit import GENESIS, entry_digest

    AuditEntry = apps.get_model("archive", "AuditEntry")
    previous = GENESIS
    for entry in AuditEntry.objects.order_by("pk").iterator():
        entry.previous_digest = previous
        entry.digest = entry_digest(entry)
        # The historical model has no append-only guard: this one-time
        # sealing of unchained rows is the only update they ever get.
        AuditEntry.objects.filter(pk=entry.pk).update(
            previous_digest=entry.previous_digest, digest=entry.digest
        )
        previous = entry.digest


class Migration(migrations.Migration):
    dependencies = [("archive", "0003_audit_actions")]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="at",
            field=models.DateTimeField(db_index=True, verbose_name="at"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="subject_type",
            field=models.CharField(
                blank=True, max_length=100, verbose_name="subject type"
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="subject_id",
            field=models.CharField(
                blank=True, max_length=40, verbose_name="subject id"
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="subject_digest",
            field=models.CharField(
                blank=True, max_length=64, verbose_name="subject digest"
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="previous_digest",
            field=models.CharField(
                default="", max_length=64, verbose_name="previous digest"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="digest",
            field=models.CharField(default="", max_length=64, verbose_name="digest"),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing_entries, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditentry",
            name="digest",
            field=models.CharField(max_length=64, unique=True, verbose_name="digest"),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(
                fields=["subject_type", "subject_id"],
                name="archive_aud_subject_ac6485_idx",
            ),
        ),
    ]
