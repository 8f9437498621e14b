"""Rows that are evidence: added, never changed or removed.

Used by the consent history and the audit log. The guard covers the model's
own save() and delete() and the queryset's bulk update() and delete().
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

REFUSAL = _("This record is part of the archive's history and cannot be changed.")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(REFUSAL, code="append_only")

    def delete(self):
        raise ValidationError(REFUSAL, code="append_only")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(REFUSAL, code="append_only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(REFUSAL, code="append_only")
