from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import ConsentScope


class WithdrawalForm(forms.Form):
    """Withdraw some scopes of the consent in force, or all of it."""

    everything = forms.BooleanField(
        label=_("Withdraw all consent: the testimony is withdrawn from every use"),
        required=False,
    )
    scopes = forms.MultipleChoiceField(
        label=_("Or withdraw only these scopes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Withdrawing “kept in the archive” withdraws everything: nothing "
            "can be shared that may not be kept."
        ),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Kept in the consent history. Do not write the witness's name or "
            "any part of the account."
        ),
    )
    obtained_by = forms.CharField(label=_("Withdrawal received by"), max_length=200)

    def __init__(self, *args, granted: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        # Only what is granted now can be withdrawn.
        self.fields["scopes"].choices = [
            (scope, ConsentScope(scope).label) for scope in granted
        ]
        self.granted = granted

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(
                _("A withdrawal needs a reason."), code="reason_missing"
            )
        return reason

    def clean(self):
        cleaned = super().clean()
        if not self.granted:
            raise ValidationError(
                _("No consent is in force: there is nothing left to withdraw."),
                code="nothing_granted",
            )
        if not cleaned.get("everything") and not cleaned.get("scopes"):
            raise ValidationError(
                _("Choose the scopes to withdraw, or withdraw all consent."),
                code="no_scope",
            )
        return cleaned

    @property
    def withdrawn_scopes(self) -> list[str] | None:
        """The scopes to hand to consent_withdraw: None means all."""
        if self.cleaned_data["everything"]:
            return None
        return list(self.cleaned_data["scopes"])


class ErasureForm(forms.Form):
    """Confirm an erasure by typing the testimony's public id."""

    confirmation = forms.CharField(
        label=_("Type the testimony's public id to confirm"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = forms.CharField(
        label=_("Reason for the erasure"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Kept in the tombstone. Do not write the witness's name or any "
            "part of the account."
        ),
    )

    def __init__(self, *args, public_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.public_id = public_id

    def clean_confirmation(self):
        typed = self.cleaned_data["confirmation"].strip()
        if typed != self.public_id:
            raise ValidationError(
                _("This is not the testimony's public id; nothing was erased."),
                code="confirmation_mismatch",
            )
        return typed

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(
                _("An erasure needs a reason."), code="reason_missing"
            )
        return reason
