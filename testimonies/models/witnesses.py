import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..pseudonyms import ALPHABET, LENGTH, pseudonym_derive, pseudonym_source
from .keys import random_key


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
    testimonies.identity; nothing here is readable without the key store and
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
