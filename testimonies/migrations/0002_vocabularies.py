"""The archive's controlled vocabularies (README, import_testimonies: at least these)."""

from django.db import migrations

COMMUNITIES = [
    ("alawite", "Alawite", "علويون", "Alawite community."),
    ("sunni", "Sunni", "سنّة", "Sunni Muslim community."),
    ("shia", "Shia", "شيعة", "Twelver Shia community."),
    ("ismaili", "Ismaili", "إسماعيليون", "Ismaili Shia community."),
    ("druze", "Druze", "دروز", "Druze community."),
    ("christian", "Christian", "مسيحيون", "Christian communities of every church."),
    ("kurdish", "Kurdish", "كرد", "Kurdish people, of any faith."),
    ("turkmen", "Turkmen", "تركمان", "Syrian Turkmen."),
    ("yazidi", "Yazidi", "إيزيديون", "Yazidi community."),
]

EVENT_TYPES = [
    ("killing", "Killing", "قتل", "An unlawful killing of one or more people."),
    ("massacre", "Massacre", "مجزرة", "The killing of many people in one event."),
    ("ambush", "Ambush", "كمين", "An attack from a concealed position."),
    ("abduction", "Abduction", "خطف", "Taking a person away by force or deception."),
    (
        "arbitrary-detention",
        "Arbitrary detention",
        "احتجاز تعسفي",
        "Deprivation of liberty without legal basis or due process.",
    ),
    ("torture", "Torture", "تعذيب", "Severe pain or suffering inflicted on purpose."),
    ("looting", "Looting", "نهب", "Theft of property, often under threat."),
    ("arson", "Arson", "حرق متعمد", "Setting fire to homes, shops or fields."),
    (
        "destruction-of-property",
        "Destruction of property",
        "تدمير ممتلكات",
        "Deliberate destruction of homes, businesses or belongings.",
    ),
    (
        "forced-displacement",
        "Forced displacement",
        "تهجير قسري",
        "People forced to leave their homes or area.",
    ),
    ("threat", "Threat", "تهديد", "Threats of violence against a person or family."),
    (
        "sexual-violence",
        "Sexual violence",
        "عنف جنسي",
        "Rape and other sexual violence.",
    ),
    (
        "enforced-disappearance",
        "Enforced disappearance",
        "إخفاء قسري",
        "Detention followed by refusal to disclose the person's fate.",
    ),
]


def load(apps, schema_editor):
    for model_name, rows in (("Community", COMMUNITIES), ("EventType", EVENT_TYPES)):
        model = apps.get_model("testimonies", model_name)
        for slug, name, name_ar, description in rows:
            model.objects.update_or_create(
                slug=slug,
                defaults={"name": name, "name_ar": name_ar, "description": description},
            )


class Migration(migrations.Migration):
    dependencies = [("testimonies", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
