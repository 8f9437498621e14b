"""The form behind the identity reveal page."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A reason is read later by whoever audits the reveal: a word or two says
# nothing ("needed", "check").
REVEAL_REASON_MIN_WORDS = 4


class IdentityRevealForm(forms.Form):
    """Why the identity is needed, and the user's password again. The
    password is checked here; counting wrong ones is the view's business
    (testimonies.vault.reveal_throttle)."""

    reason = forms.CharField(
        label=_("Why do you need the witness's identity?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text=_(
            "Kept in the audit log for good. Never write the witness's name, "
            "contact or birth year here."
        ),
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if len(reason.split()) < REVEAL_REASON_MIN_WORDS:
            raise ValidationError(
                _("Say in a few words why you need the identity."),
                code="reason_too_short",
            )
        return reason

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(
                _("This is not your password. Nothing was shown."),
                code="wrong_password",
            )
        return password

    @property
    def wrong_password(self) -> bool:
        return self.has_error("password", code="wrong_password")
