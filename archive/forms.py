"""Forms of the archive's own pages. They validate; services do the work."""

import re

from django import forms
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from archive.audit_actions import audit_action_choices
from archive.models import MonthNames
from archive.roles import Role
from archive.services import (
    enrolment_link_find,
    password_reset_link_issue,
    password_reset_sent_record,
)
from archive.time_zones import time_zone_choices


def check_date_order(cleaned: dict) -> dict:
    """For filter forms with `date_from` and `date_to`: refuse a range that
    ends before it starts."""
    date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
    if date_from and date_to and date_from > date_to:
        raise ValidationError(
            _("The start date must not be after the end date."), code="date_order"
        )
    return cleaned


class AuditFilterForm(forms.Form):
    """Filters of the audit log page; every field optional."""

    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        # Read when the form is made: every app has declared its actions.
        choices=lambda: [("", _("Any action")), *audit_action_choices()],
    )
    actor = forms.CharField(
        label=_("Who"),
        required=False,
        max_length=150,
        help_text=_("Username, or the name a command acted under."),
    )
    target = forms.CharField(
        label=_("Testimony or account"),
        required=False,
        max_length=100,
        help_text=_("A testimony's public id, or a username."),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        return check_date_order(super().clean())


# The roles page offers every role, or none (the account then reads what
# the public reads).
ROLE_CHOICES = [
    (Role.DOCUMENTER.value, Role.DOCUMENTER.label),
    (Role.RESEARCHER.value, Role.RESEARCHER.label),
    (Role.MODERATOR.value, Role.MODERATOR.label),
    ("none", _("No role")),
]


class TokenForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "dir": "ltr",
            }
        ),
    )

    def clean_code(self):
        # Apps show the code as "123 456"; people type it either way.
        code = re.sub(r"\s", "", self.cleaned_data["code"])
        if not re.fullmatch(r"[0-9]{6}", code):
            raise forms.ValidationError(
                _("Enter the six digits your authenticator app shows."),
                code="format",
            )
        return code


class EnrolmentForm(forms.Form):
    """The first step of an enrolment link: its code (filled in from the
    link by the page's script, or pasted), and the account's username and
    password. The link alone, or the password alone, enrols nothing."""

    enrolment_code = forms.CharField(
        label=_("Enrolment code"),
        max_length=100,
        help_text=_("The part of the link after the # sign."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "dir": "ltr", "data-code-from-hash": ""}
        ),
    )
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # Checked by the same backends as the login form (django-axes
        # counts and locks out wrong passwords here too).
        user = authenticate(
            self.request, username=cleaned["username"], password=cleaned["password"]
        )
        if user is None:
            raise forms.ValidationError(
                _("The username or password is not right."), code="invalid_login"
            )
        link = enrolment_link_find(token=cleaned["enrolment_code"], user=user)
        if link is None:
            raise forms.ValidationError(
                _(
                    "This enrolment link does not open this account: it may have "
                    "expired (a link lasts 24 hours), been used, or been replaced "
                    "by a newer one. Ask another moderator for a new link."
                ),
                code="invalid_link",
            )
        cleaned["user"], cleaned["link"] = user, link
        return cleaned


class AccountForm(forms.Form):
    """Names an account by username (never by its sequential id)."""

    username = forms.CharField(max_length=150, widget=forms.HiddenInput)

    def clean_username(self):
        username = self.cleaned_data["username"]
        User = get_user_model()
        try:
            self.cleaned_data["user"] = User._default_manager.get(
                **{User.USERNAME_FIELD: username}
            )
        except User.DoesNotExist:
            raise forms.ValidationError(
                _("There is no account with that username."), code="unknown"
            ) from None
        return username


class RoleForm(AccountForm):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)

    def clean_role(self):
        value = self.cleaned_data["role"]
        return Role.PUBLIC if value == "none" else Role(value)


class UnlockForm(AccountForm):
    """Names the account whose lockout is lifted or whose second factor is
    reset."""


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form, which mails a link to each active account with
    that address and says nothing about whether there was one; the archive
    adds an audit entry per mail sent."""

    def save(self, **kwargs):
        users = list(self.get_users(self.cleaned_data["email"]))
        super().save(**kwargs)
        password_reset_sent_record(users=users)

    def send_mail(self, subject_template_name, email_template_name, context, *a, **k):
        # The link names the account by a random reference of its own, never
        # by Django's "uid" (the base64 of the account's sequential id).
        context = {key: value for key, value in context.items() if key != "uid"}
        context["reference"] = password_reset_link_issue(user=context["user"])
        super().send_mail(subject_template_name, email_template_name, context, *a, **k)


class PasswordResetCodeForm(forms.Form):
    """A reset link's code: the part after "#", which browsers never send to
    the server (filled in by the page's script, or pasted with or without
    the rest of the link). It names the link's account and carries Django's
    token, "<reference>.<token>"."""

    reset_code = forms.CharField(
        label=_("Reset code"),
        max_length=300,
        help_text=_("The part of the link after the # sign."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "dir": "ltr", "data-code-from-hash": ""}
        ),
    )

    def clean_reset_code(self):
        code = self.cleaned_data["reset_code"].strip().rpartition("#")[2]
        reference, _dot, token = code.partition(".")
        if not reference or not token:
            raise ValidationError(
                _("This is not the code of a reset link."), code="malformed"
            )
        return reference, token


# The roles an invitation offers.
INVITATION_ROLE_CHOICES = [
    (Role.DOCUMENTER.value, Role.DOCUMENTER.label),
    (Role.RESEARCHER.value, Role.RESEARCHER.label),
    (Role.MODERATOR.value, Role.MODERATOR.label),
]


class InvitationForm(forms.Form):
    """A moderator invites someone: their address, the username the account
    will have, its role."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "dir": "ltr"}),
    )
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @ . + - _ only. Shown in the audit log."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=INVITATION_ROLE_CHOICES)

    def clean_role(self):
        return Role(self.cleaned_data["role"])


class InvitationCodeForm(forms.Form):
    """The first step of an invitation's link: its code (filled in from the
    link by the page's script, or pasted)."""

    invitation_code = forms.CharField(
        label=_("Invitation code"),
        max_length=100,
        help_text=_("The part of the link after the # sign."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "dir": "ltr", "data-code-from-hash": ""}
        ),
    )


class InvitationAcceptForm(forms.Form):
    """The invitee's password (twice, checked by the site's password rules)
    and, for a moderator's invitation, the enrolment code the inviting
    moderator passed on apart from the mail."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    enrolment_code = forms.CharField(
        label=_("Enrolment code"),
        max_length=100,
        help_text=_("The moderator who invited you gave it to you, not by mail."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr"}),
    )

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        if not invitation.enrolment_code_sha256:
            del self.fields["enrolment_code"]

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error(
                "password2",
                forms.ValidationError(
                    _("The two passwords differ."), code="password_mismatch"
                ),
            )
        elif first:
            User = get_user_model()
            future = User(
                **{User.USERNAME_FIELD: self.invitation.username},
                email=self.invitation.email,
            )
            try:
                password_validation.validate_password(first, future)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class AccountSettingsForm(forms.Form):
    """An account's own settings."""

    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_(
            "Times on every page are shown in this time zone. The archive's "
            "default is Damascus."
        ),
    )
    month_names = forms.ChoiceField(
        label=_("Arabic month names"),
        choices=MonthNames.choices,
        widget=forms.RadioSelect,
        # Left out of a post (a script setting the time zone): unchanged.
        required=False,
        help_text=_(
            "The month names dates are written with on the Arabic pages, in "
            "the exports you make and in mail to you. The archive's default is "
            "the Syrian names, as the witnesses use them. English dates stay "
            "the same."
        ),
    )
