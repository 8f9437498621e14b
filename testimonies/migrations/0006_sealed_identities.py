"""Identities move into the vault: each is sealed under its witness's data
key, and the clear-text columns are dropped (SQLite's secure_delete zeroes
the freed pages; see archive/database.py)."""

from django.db import migrations, models


def seal_identities(apps, schema_editor):
    from testimonies import vault

    WitnessIdentity = apps.get_model("testimonies", "WitnessIdentity")
    for row in WitnessIdentity.objects.all().iterator():
        payload = {
            "name": row.name,
            "name_variants": list(row.name_variants or []),
            "contact": row.contact,
            "birth_year": row.birth_year,
            "gender": row.gender,
            "community_id": row.community_id,
        }
        row.sealed = vault.vault_seal(
            witness_id=row.witness_id, purpose="identity", payload=payload
        )
        row.save(update_fields=["sealed"])


class Migration(migrations.Migration):
    dependencies = [
        ("testimonies", "0005_merge_0004_erasure_0004_review_and_informed_consent")
    ]

    operations = [
        migrations.AddField(
            model_name="witnessidentity",
            name="sealed",
            field=models.BinaryField(null=True, verbose_name="sealed identity"),
        ),
        migrations.AddField(
            model_name="witnessidentity",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated"),
        ),
        migrations.RunPython(seal_identities, migrations.RunPython.noop),
        migrations.RemoveField(model_name="witnessidentity", name="name"),
        migrations.RemoveField(model_name="witnessidentity", name="name_variants"),
        migrations.RemoveField(model_name="witnessidentity", name="contact"),
        migrations.RemoveField(model_name="witnessidentity", name="birth_year"),
        migrations.RemoveField(model_name="witnessidentity", name="gender"),
        migrations.RemoveField(model_name="witnessidentity", name="community"),
        migrations.AlterField(
            model_name="witnessidentity",
            name="sealed",
            field=models.BinaryField(verbose_name="sealed identity"),
        ),
    ]
