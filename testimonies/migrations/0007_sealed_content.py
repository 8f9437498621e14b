"""Narratives, translations, summaries, persons named and review comments
move into the vault: sealed under the witness's data key, and the clear-text
columns dropped (SQLite's secure_delete zeroes the freed pages)."""

from django.db import migrations, models

TESTIMONY_CONTENT = ("narrative", "translations", "summary", "persons_named")
VERSION_CONTENT = ("comment", *TESTIMONY_CONTENT)


def seal_content(apps, schema_editor):
    from testimonies import vault

    Testimony = apps.get_model("testimonies", "Testimony")
    ReviewedVersion = apps.get_model("testimonies", "ReviewedVersion")
    for testimony in Testimony.objects.all().iterator():
        testimony.sealed_content = vault.vault_seal(
            witness_id=testimony.witness_id,
            purpose=f"testimony:{testimony.pk}",
            payload={name: getattr(testimony, name) for name in TESTIMONY_CONTENT},
        )
        testimony.save(update_fields=["sealed_content"])
    for version in ReviewedVersion.objects.select_related("testimony").iterator():
        version.sealed_content = vault.vault_seal(
            witness_id=version.testimony.witness_id,
            purpose=f"reviewed-version:{version.review_id}",
            payload={name: getattr(version, name) for name in VERSION_CONTENT},
        )
        version.save(update_fields=["sealed_content"])


class Migration(migrations.Migration):
    dependencies = [("testimonies", "0006_sealed_identities")]

    operations = [
        migrations.AddField(
            model_name="testimony",
            name="sealed_content",
            field=models.BinaryField(
                editable=False, null=True, verbose_name="sealed content"
            ),
        ),
        migrations.AddField(
            model_name="reviewedversion",
            name="sealed_content",
            field=models.BinaryField(
                editable=False, null=True, verbose_name="sealed content"
            ),
        ),
        migrations.RunPython(seal_content, migrations.RunPython.noop),
        *[
            migrations.RemoveField(model_name="testimony", name=name)
            for name in TESTIMONY_CONTENT
        ],
        *[
            migrations.RemoveField(model_name="reviewedversion", name=name)
            for name in VERSION_CONTENT
        ],
    ]
