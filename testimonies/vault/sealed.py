"""Text that names people, kept only sealed in the database.

A testimony's original narrative, its translations and summary, and the
names it lists are stored in one ciphertext (`sealed_content`) under the
witness's data key (testimonies/vault.py): the database file holds no
readable account, and destroying the witness's key (erasure) leaves
nothing readable in any backup either. The model reads and writes them as
ordinary attributes (`testimony.narrative`), opened on first use and sealed
again by save(); they cannot be filtered or updated in SQL, which nothing
does: search works on the redacted text in the index.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from testimonies.vault import sealing as vault


class SealedContent(models.Model):
    """Base for models with sealed text attributes (SEALED_FIELDS: name ->
    factory of the empty value)."""

    SEALED_FIELDS: dict = {}

    sealed_content = models.BinaryField(_("sealed content"), null=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "sealed_content" in update_fields:
            self.seal()
        super().save(*args, **kwargs)

    def seal(self) -> None:
        """Seal the attributes into `sealed_content`, as save() does; for
        bulk writers (bulk_create does not call save())."""
        content = self._content()
        # Nothing to keep (an erased testimony) is kept as nothing: it
        # must stay readable after its witness's key is destroyed.
        self.sealed_content = (
            vault.vault_seal(
                witness_id=self.sealing_witness_id(),
                purpose=self.sealing_purpose(),
                payload=content,
            )
            if any(content.values())
            else None
        )
        self.__dict__["_sealed_by"] = self.sealing_witness_id()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The key that sealed the stored value is the witness's as loaded,
        # whatever the instance is moved to before it is read.
        instance._sealed_by = cls.sealed_by_as_loaded(instance)
        return instance

    @classmethod
    def sealed_by_as_loaded(cls, instance) -> int | None:
        """The sealing witness's id from the loaded row, or None to ask
        sealing_witness_id() when first needed (it may cost a query)."""
        return None

    def refresh_from_db(self, *args, **kwargs):
        self.__dict__.pop("_content_cache", None)
        self.__dict__["_sealed_by"] = None
        super().refresh_from_db(*args, **kwargs)

    def sealing_witness_id(self) -> int:
        """Whose data key seals this row."""
        raise NotImplementedError

    def sealing_purpose(self) -> str:
        """Binds the ciphertext to this row: copied onto another, it does
        not open."""
        raise NotImplementedError

    def _content(self) -> dict:
        content = self.__dict__.get("_content_cache")
        if content is None:
            content = {name: empty() for name, empty in self.SEALED_FIELDS.items()}
            if self.sealed_content:
                content.update(
                    vault.vault_open(
                        witness_id=self._opening_witness_id(),
                        purpose=self.sealing_purpose(),
                        sealed=self.sealed_content,
                    )
                )
            self.__dict__["_content_cache"] = content
        return content

    def _opening_witness_id(self) -> int:
        # The key that sealed the stored value: the witness as loaded, even
        # if this instance has since been moved to another witness.
        if self.__dict__.get("_sealed_by") is None:
            self.__dict__["_sealed_by"] = self.sealing_witness_id()
        return self.__dict__["_sealed_by"]


def sealed_attribute(name: str):
    """An attribute kept in the row's sealed content."""

    def read(instance):
        return instance._content()[name]

    def write(instance, value):
        instance._content()[name] = value

    return property(read, write, doc=f"{name} (sealed in the database)")
