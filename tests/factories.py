"""Factories for the archive's models. Writes with more than one step go
through the real services, as the application does."""

import datetime
from contextlib import contextmanager

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from testimonies.consent.models.consent import ConsentEvent
from testimonies.consent.services.consent import consent_record
from testimonies.consent.services.erasure import testimony_erase
from testimonies.models import (
    Community,
    ConsentRecord,
    EventType,
    Place,
    Testimony,
    Witness,
)
from testimonies.places.gazetteer import place_path
from testimonies.vault import sealing as vault
from testimonies.vault.identity import identity_store

EVERY_SCOPE_OFF = {
    "archive": False, "researchers": False, "accountability": False,
    "public": False, "media": False, "named": False,
}  # fmt: skip


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")


def user_in(role: str):
    """The user named after `role`, in that role's group: got or created by
    name, so a module's data built once and a test's role fixtures find the
    same user."""

    user = UserFactory(username=role)
    user.groups.add(Group.objects.get(name=role))
    return user


def second_factor_passed(client, user) -> None:
    """`client`'s session has passed `user`'s second factor (a TOTP device,
    made if the user has none), as a moderator's session does day to day."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def place(slug, name, *, parent=None, kind="town", name_ar="", variants=()):
    return Place.objects.create(
        slug=slug,
        name=name,
        name_ar=name_ar,
        kind=kind,
        parent=parent,
        variants=list(variants),
        path=place_path(parent, slug),
    )


def coast():
    """A small gazetteer: Syria > two governorates > towns > a neighbourhood
    (the `coast` fixture)."""
    sy = place("sy", "Syria", kind="country", name_ar="سوريا")
    tartus_gov = place(
        "tartus-governorate", "Tartus Governorate", parent=sy, kind="governorate",
        name_ar="محافظة طرطوس",
    )  # fmt: skip
    latakia_gov = place(
        "latakia-governorate", "Latakia Governorate", parent=sy, kind="governorate"
    )
    banias = place(
        "banias", "Banias", parent=tartus_gov, name_ar="بانياس", variants=["Baniyas"]
    )
    kusour = place(
        "hai-al-kusour", "Hai Al Kusour", parent=banias, kind="neighbourhood",
        name_ar="حي القصور",
    )  # fmt: skip
    tartus = place("tartus", "Tartus", parent=tartus_gov, name_ar="طرطوس")
    jableh = place("jableh", "Jableh", parent=latakia_gov, name_ar="جبلة")
    return {
        "sy": sy, "tartus-governorate": tartus_gov, "latakia-governorate": latakia_gov,
        "banias": banias, "hai-al-kusour": kusour, "tartus": tartus, "jableh": jableh,
    }  # fmt: skip


class WitnessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Witness
        skip_postgeneration_save = True

    @factory.post_generation
    def name(witness, create, extracted, **kwargs):
        identity_store(witness=witness, name=extracted or "Layla Haddad")


@contextmanager
def together():
    """Testimonies made in this block reach the search index in one write,
    when it commits, rather than one write each: a fixture that makes many
    saves most of its time (each write of a Whoosh index is a segment).
    Their witnesses' data keys reach the key store in one transaction too,
    as an import's do (one unit of work)."""
    with vault.keys_unit_of_work():
        yield


def testimony(
    *,
    witness_name="Layla Haddad",
    narrative="Gunmen came to our street in Banias and took my neighbour away.",
    status="approved",
    places=(),
    communities=("alawite",),
    event_types=("killing",),
    incident=(datetime.date(2025, 3, 7), datetime.date(2025, 3, 9)),
    precision="day",
    recorded_by=None,
    persons_named=(),
    translations=None,
    consent=None,
    language="en",
    witness_community=None,
):
    """A testimony with its witness, tags and one consent event.

    `witness_community`: the slug of the witness's own community, sealed in
    their identity (not a tag of the testimony).

    `consent` is a dict of scopes granted (default: archive, researchers and
    public) plus optional `embargo_until` and `images` (who may be shown the
    photos and documents; not asked when left out); pass {} for no consent
    record.
    status="erased" records the testimony and then erases it, as the
    archive does.
    """
    erase = status == "erased"
    if erase:
        status = "approved"
    # One transaction: the testimony, its tags and its consent reach the
    # index in one write when it commits (search.indexing batches what a
    # transaction changed) rather than in one write per step. An erasure
    # comes after that commit, so that it finds the testimony indexed.
    with transaction.atomic():
        witness = WitnessFactory(name=witness_name)
        if witness_community:
            identity_store(
                witness=witness,
                name=witness_name,
                community=Community.objects.get(slug=witness_community),
            )
        obj = Testimony.objects.create(
            witness=witness,
            language=language,
            narrative=narrative,
            translations=translations or {},
            recorded_on=datetime.date(2025, 4, 1),
            recorded_by=recorded_by,
            incident_start=incident[0] if incident else None,
            incident_end=incident[1] if incident else None,
            incident_precision=precision,
            persons_named=list(persons_named),
            status=status,
        )
        obj.places.set(places)
        obj.communities.set(Community.objects.filter(slug__in=communities))
        obj.event_types.set(EventType.objects.filter(slug__in=event_types))
        if consent is None:
            consent = {"archive": True, "researchers": True, "public": True}
        if consent:
            embargo = consent.pop("embargo_until", None)
            images = consent.pop("images", "")
            consent_record(
                testimony=obj,
                scopes={**EVERY_SCOPE_OFF, **consent},
                method="oral",
                obtained_by="test documenter",
                obtained_on=datetime.date(2025, 3, 20),
                embargo_until=embargo,
                images=images,
            )
    if erase:
        testimony_erase(testimony=obj, reason="test", erased_by_label="factory")
        obj.refresh_from_db()
    return obj


def withdrawal_unheard(testimony):
    """A withdrawal (archive kept, every other scope off) that the search
    index never hears of: bulk_create sends no signal, as a process killed
    between the consent record and the index write would leave it. What the
    database says must still decide."""
    current = testimony.current_consent()
    ConsentRecord.objects.bulk_create(
        [
            ConsentRecord(
                testimony=testimony,
                event=ConsentEvent.WITHDRAWAL,
                archive=True,
                obtained_by="d",
                obtained_on=current.obtained_on,
                reason="r",
            )
        ]
    )
