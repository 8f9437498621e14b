"""Words marked for redaction are names: they join the sealed content of
testimonies and reviewed versions, and their clear-text columns go."""

from django.db import migrations


def seal_marks(apps, schema_editor):
    from testimonies import vault

    def reseal(row, witness_id, purpose):
        content = {}
        if row.sealed_content:
            content = vault.vault_open(
                witness_id=witness_id, purpose=purpose, sealed=row.sealed_content
            )
        if not row.redaction_marks and not content:
            return
        content["redaction_marks"] = list(row.redaction_marks)
        row.sealed_content = vault.vault_seal(
            witness_id=witness_id, purpose=purpose, payload=content
        )
        row.save(update_fields=["sealed_content"])

    Testimony = apps.get_model("testimonies", "Testimony")
    ReviewedVersion = apps.get_model("testimonies", "ReviewedVersion")
    for testimony in Testimony.objects.exclude(redaction_marks=[]).iterator():
        reseal(testimony, testimony.witness_id, f"testimony:{testimony.pk}")
    versions = ReviewedVersion.objects.exclude(redaction_marks=[])
    for version in versions.select_related("testimony").iterator():
        reseal(
            version,
            version.testimony.witness_id,
            f"reviewed-version:{version.review_id}",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("testimonies", "0010_merge_0006_redaction_marks_0009_merge_20261125_1742")
    ]

    operations = [
        migrations.RunPython(seal_marks, migrations.RunPython.noop),
        migrations.RemoveField(model_name="testimony", name="redaction_marks"),
        migrations.RemoveField(model_name="reviewedversion", name="redaction_marks"),
    ]
