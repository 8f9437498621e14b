import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from testimonies.core.keys import random_key
from testimonies.witnesses.pseudonyms import (
    ALPHABET,
    LENGTH,
    pseudonym_derive,
    pseudonym_source,
)


def new_pseudonym() -> str:
    """Referenced by migration 0001 only: pseudonyms are now keyed
    (testimonies/pseudonyms.py, Witness.save)."""
    return "W-" + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


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

    # Derived by save() from pseudonym_source (testimonies/pseudonyms.py)
    # when left blank: keyed, stable across re-imports.
    pseudonym = models.CharField(_("pseudonym"), max_length=20, unique=True)
    # HMAC of the documenter's witness key: groups testimonies of one person
    # without storing the key itself.
    key_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # The witness chose not to give a name: the vault holds none, and the
    # archive knows them by their pseudonym only. Identifies nobody.
    name_declined = models.BooleanField(
        _("declined to give a name"),
        default=False,
        help_text=_("The witness chose not to give a name: pseudonym only."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("witness")
        verbose_name_plural = _("witnesses")
        ordering = ["pseudonym"]

    def __str__(self):
        return self.pseudonym

    def save(self, *args, **kwargs):
        if not self.pseudonym:
            self.pseudonym = self._free_pseudonym(
                pseudonym_source(key_digest=self.key_digest, witness_pk=self.pk)
            )
        super().save(*args, **kwargs)

    def _free_pseudonym(self, source: str, *, reserved=frozenset()) -> str:
        """The first pseudonym derived from `source` that no other witness
        holds, nor is in `reserved` (given to witnesses not saved yet, by a
        bulk writer)."""
        for attempt in range(100):
            candidate = pseudonym_derive(source, attempt=attempt)
            if candidate in reserved:
                continue
            taken = Witness.objects.filter(pseudonym=candidate).exclude(pk=self.pk)
            if not taken.exists():
                return candidate
        raise RuntimeError("no free pseudonym")  # 100 collisions: not by chance


class WitnessIdentity(models.Model):
    """Who the witness really is, sealed by the identity vault.

    One ciphertext (AES-256-GCM under the witness's own data key, see
    testimonies/vault.py) holds the name, its other spellings, contact, birth
    year, gender and own community. Read and written only by
    testimonies.vault.identity; nothing here is readable without the key store and
    the master key.
    """

    witness = models.OneToOneField(
        Witness, on_delete=models.CASCADE, related_name="identity"
    )
    sealed = models.BinaryField(_("sealed identity"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("witness identity")
        verbose_name_plural = _("witness identities")

    def __str__(self):
        # Never the name: this string can end up in logs and admin messages.
        return f"identity of {self.witness_id}"


class KeyConflictResolution(models.TextChoices):
    SAME_PERSON = "same", _("Same person: joined")
    DIFFERENT_PEOPLE = "different", _("Different people: kept apart")


class WitnessKeyConflict(models.Model):
    """A documenter typed a witness key that already names a witness they
    may not record under (another documenter's).

    They get the same answer as for a key never used: a witness of their
    own (the claimant), which the same key gives them again next time. The
    archive does not tell them the key exists, and taking a key first gains
    nothing; moderators decide (testimonies.witnesses.services) whether
    the two are one person (the claimant's accounts join the witness) or
    two (they stay apart). Holds the key's digest only, never the key.
    """

    key_digest = models.CharField(max_length=64)
    existing = models.ForeignKey(
        Witness,
        verbose_name=_("witness the key named"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    claimant = models.ForeignKey(
        Witness,
        verbose_name=_("witness given to the documenter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("documenter"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    resolution = models.CharField(
        _("resolution"),
        max_length=10,
        choices=KeyConflictResolution.choices,
        blank=True,
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("witness key conflict")
        verbose_name_plural = _("witness key conflicts")
        ordering = ["raised_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key_digest", "raised_by"], name="one_conflict_per_key_and_user"
            )
        ]

    def __str__(self):
        return f"witness key conflict {self.pk}"
