import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from .keys import random_key

# No 0/O, 1/I/L: pseudonyms are read aloud and copied by hand.
PSEUDONYM_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_pseudonym() -> str:
    return "W-" + "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(5))


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Witness(models.Model):
    """A person who gave one or more testimonies, known only by pseudonym.

    Nothing identifying lives here; see WitnessIdentity.
    """

    id = models.BigIntegerField(primary_key=True, default=random_key, editable=False)

    pseudonym = models.CharField(
        _("pseudonym"), max_length=20, unique=True, default=new_pseudonym
    )
    # HMAC of the documenter's witness key: groups testimonies of one person
    # without storing the key itself.
    key_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("witness")
        verbose_name_plural = _("witnesses")
        ordering = ["pseudonym"]

    def __str__(self):
        return self.pseudonym


class WitnessIdentity(models.Model):
    """Who the witness really is. Read and written only by testimonies.identity.

    Kept in its own table so that it can be encrypted and access-logged
    without touching anything else.
    """

    witness = models.OneToOneField(
        Witness, on_delete=models.CASCADE, related_name="identity"
    )
    name = models.CharField(_("name"), max_length=300)
    name_variants = models.JSONField(
        _("other spellings of the name"),
        default=list,
        blank=True,
        help_text=_("The name in other scripts or spellings, so it is redacted too."),
    )
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"), null=True, blank=True
    )
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN
    )
    community = models.ForeignKey(
        "testimonies.Community",
        verbose_name=_("own community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("witness identity")
        verbose_name_plural = _("witness identities")

    def __str__(self):
        # Never the name: this string can end up in logs and admin messages.
        return f"identity of {self.witness_id}"
