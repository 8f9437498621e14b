import json

import django.db.models.deletion
from django.db import migrations, models


def mark_places_added_by_documenters(apps, schema_editor):
    """A place that no gazetteer source names (not curated, no GeoNames id,
    no ISO code) was added by a documenter, through the recording form or an
    import: it becomes private until a testimony that shows it is visible,
    and is attached to the first testimony tagged with it."""
    from testimonies.gazetteer_sources import CURATED_FILES

    Place = apps.get_model("testimonies", "Place")
    curated = {
        row["slug"]
        for path in CURATED_FILES.values()
        for row in json.loads(path.read_text(encoding="utf-8"))
    }
    added = (
        Place.objects.filter(geonames_id__isnull=True, external_code="")
        .exclude(slug__in=curated)
        .exclude(kind__in=["country", "governorate"])
    )
    for place in added:
        place.added_by_documenter = True
        place.added_for = place.testimony_set.order_by("created_at", "pk").first()
        place.save(update_fields=["added_by_documenter", "added_for"])


class Migration(migrations.Migration):
    dependencies = [
        ("testimonies", "0014_witness_key_conflicts"),
    ]

    operations = [
        migrations.AddField(
            model_name="place",
            name="added_by_documenter",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text=(
                    "Private until a testimony that shows it is visible; removed "
                    "when the last testimony using it is erased."
                ),
                verbose_name="added by a documenter",
            ),
        ),
        migrations.AddField(
            model_name="place",
            name="added_for",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="The testimony the place was added for.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="places_added",
                to="testimonies.testimony",
                verbose_name="added for",
            ),
        ),
        migrations.RunPython(
            mark_places_added_by_documenters, migrations.RunPython.noop
        ),
    ]
