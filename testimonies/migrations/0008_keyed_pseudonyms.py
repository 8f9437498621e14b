from django.db import migrations, models


def derive_pseudonyms(apps, schema_editor):
    """Existing witnesses get their keyed pseudonym, from the same sources
    as new ones (testimonies/pseudonyms.py)."""
    from testimonies.pseudonyms import pseudonym_derive, pseudonym_source

    Witness = apps.get_model("testimonies", "Witness")
    Testimony = apps.get_model("testimonies", "Testimony")
    chosen = {}
    for witness in Witness.objects.order_by("created_at", "pk"):
        first = (
            Testimony.objects.filter(witness=witness, external_id__isnull=False)
            .order_by("created_at", "pk")
            .values_list("external_id", flat=True)
            .first()
        )
        source = pseudonym_source(
            key_digest=witness.key_digest, external_id=first, witness_pk=witness.pk
        )
        attempt = 0
        while (candidate := pseudonym_derive(source, attempt=attempt)) in chosen:
            attempt += 1
        chosen[candidate] = witness.pk
    # The column is unique: park every row on a temporary value first.
    for pk in chosen.values():
        Witness.objects.filter(pk=pk).update(pseudonym=f"~{pk}")
    for pseudonym, pk in chosen.items():
        Witness.objects.filter(pk=pk).update(pseudonym=pseudonym)


class Migration(migrations.Migration):
    dependencies = [("testimonies", "0007_sealed_content")]

    operations = [
        migrations.AlterField(
            model_name="witness",
            name="pseudonym",
            field=models.CharField(
                max_length=20, unique=True, verbose_name="pseudonym"
            ),
        ),
        migrations.RunPython(derive_pseudonyms, migrations.RunPython.noop),
    ]
