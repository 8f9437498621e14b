"""Forms behind the consent, submission, review, withdrawal and erasure pages.
They validate and hand off to testimonies.consent.services; the rules of a
consent record live in ConsentRecord.clean, which a ModelForm runs and reports
beside each field."""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from testimonies.consent.models.consent import (
    EXPLAINED_POINTS,
    IDENTITY_EXPLANATION,
    IDENTITY_QUESTION,
    IMAGES,
    IMAGES_EXPLANATIONS,
    IMAGES_QUESTION,
    SCOPE_EXPLANATIONS,
    ConsentMethod,
    ImagesShown,
)
from testimonies.models import ConsentRecord, ConsentScope, ReviewDecision
from testimonies.redaction.reidentification import GENERALISATIONS


@dataclass
class ScopeRow:
    field: forms.BoundField
    english: str
    arabic: str

    @property
    def english_id(self) -> str:
        return f"{self.field.auto_id}_en"

    @property
    def arabic_id(self) -> str:
        return f"{self.field.auto_id}_ar"

    @property
    def description_ids(self) -> str:
        """The ids of the explanations read out with the checkbox, in the
        order the page shows them (the interface's language first)."""
        if not self.arabic:
            return self.english_id
        if arabic_first():
            return f"{self.arabic_id} {self.english_id}"
        return f"{self.english_id} {self.arabic_id}"


def arabic_first() -> bool:
    """Whether the consent sentences, always shown in both languages, come
    Arabic first: in the Arabic interface."""
    return (translation.get_language() or "en").split("-")[0] == "ar"


def _in(language: str, text) -> str:
    with translation.override(language):
        return str(text)


@dataclass
class ImagesChoice:
    """One answer to the photos-and-documents question, with its plain
    explanation in English and in Arabic."""

    value: str
    label: str
    english: str
    arabic: str
    checked: bool
    id: str

    @property
    def english_id(self) -> str:
        return f"{self.id}_en"

    @property
    def arabic_id(self) -> str:
        return f"{self.id}_ar"


class ConsentForm(forms.ModelForm):
    """A new consent event, recorded in full: never an edit of an earlier one."""

    method = forms.ChoiceField(
        label=_("How was consent given?"),
        choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
    )
    witness_is_minor = forms.TypedChoiceField(
        label=_("Was the witness under 18 when consent was given?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    obtained_on = forms.DateField(
        label=_("Obtained on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    embargo_until = forms.DateField(
        label=_("Embargo until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Nothing is released to any audience before this date."),
    )
    # Asked every time: "not asked" is only what records made before the
    # question hold.
    images = forms.ChoiceField(
        label=IMAGES_QUESTION,
        choices=[(value, label) for value, label in ImagesShown.choices if value],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Ask the witness whether photos and documents may be shown.")
        },
    )

    class Meta:
        model = ConsentRecord
        fields = [
            *ConsentScope.values,
            "images",
            "identity_recipients",
            "method",
            "obtained_by",
            "obtained_on",
            *EXPLAINED_POINTS,
            "embargo_until",
            "witness_is_minor",
            "guardian_consent",
            "guardian_relation",
            "child_assent",
        ]
        labels = {
            "identity_recipients": IDENTITY_QUESTION,
            "obtained_by": _("Obtained by"),
            "guardian_consent": _("A parent or guardian consented"),
            "child_assent": _("The child agreed in their own words"),
        }
        help_texts = {
            "obtained_by": _("Who took the consent. Never the witness's name."),
            "guardian_relation": _("Never the guardian's name."),
            "identity_recipients": _(
                "One body or purpose a line, as the witness named it, e.g. "
                "International, Impartial and Independent Mechanism (IIIM)."
            ),
        }
        widgets = {"identity_recipients": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The points are always answered here: unticked means not explained.
        for point, label in EXPLAINED_POINTS.items():
            self.fields[point] = forms.BooleanField(label=label, required=False)

    def scope_rows(self) -> list[ScopeRow]:
        """Each scope with its plain explanation in English and in Arabic, so
        that it can be read out in the witness's language whatever the
        interface's language is."""
        rows = []
        for scope in ConsentScope.values:
            english = _in("en", SCOPE_EXPLANATIONS[scope])
            arabic = _in("ar", SCOPE_EXPLANATIONS[scope])
            rows.append(
                ScopeRow(self[scope], english, "" if arabic == english else arabic)
            )
        return rows

    def arabic_first(self) -> bool:
        return arabic_first()

    def images_question(self) -> tuple[str, str]:
        """The photos-and-documents question in English and in Arabic."""
        return _in("en", IMAGES_QUESTION), _in("ar", IMAGES_QUESTION)

    def images_choices(self) -> list[ImagesChoice]:
        """Each answer with its explanation in English and in Arabic, read
        out in the witness's language whatever the interface's is."""
        chosen = self["images"].value()
        return [
            ImagesChoice(
                value=value,
                label=str(label),
                english=_in("en", IMAGES_EXPLANATIONS[value]),
                arabic=_in("ar", IMAGES_EXPLANATIONS[value]),
                checked=chosen == value,
                id=f"{self['images'].auto_id}_{value}",
            )
            for value, label in self.fields["images"].choices
        ]

    def identity_question(self) -> tuple[str, str, str, str]:
        """Whom the identity may be given to: the question and its
        explanation in English and in Arabic."""
        return (
            _in("en", IDENTITY_QUESTION),
            _in("ar", IDENTITY_QUESTION),
            _in("en", IDENTITY_EXPLANATION),
            _in("ar", IDENTITY_EXPLANATION),
        )

    def point_fields(self) -> list[forms.BoundField]:
        return [self[point] for point in EXPLAINED_POINTS]

    def clean_obtained_on(self):
        obtained_on = self.cleaned_data["obtained_on"]
        if obtained_on > timezone.localdate():
            raise forms.ValidationError(
                _("Consent cannot have been obtained in the future."), code="future"
            )
        return obtained_on

    def clean_obtained_by(self):
        obtained_by = self.cleaned_data["obtained_by"].strip()
        if not obtained_by:
            raise forms.ValidationError(_("Say who took the consent."), "required")
        return obtained_by

    def clean(self):
        cleaned = super().clean()
        obtained_on, embargo = cleaned.get("obtained_on"), cleaned.get("embargo_until")
        if obtained_on and embargo and embargo <= obtained_on:
            self.add_error(
                "embargo_until",
                forms.ValidationError(
                    _("An embargo ends after the day consent was given."),
                    code="embargo_before_consent",
                ),
            )
        return cleaned

    def service_terms(self) -> dict:
        """The keyword arguments of services.consent_capture."""
        data = self.cleaned_data
        return {
            "scopes": {scope: data[scope] for scope in ConsentScope.values},
            "method": data["method"],
            "obtained_by": data["obtained_by"],
            "obtained_on": data["obtained_on"],
            "embargo_until": data["embargo_until"],
            "explained": {point: data[point] for point in EXPLAINED_POINTS},
            "witness_is_minor": data["witness_is_minor"],
            "guardian_consent": data["guardian_consent"],
            "guardian_relation": data["guardian_relation"],
            "child_assent": data["child_assent"],
            "images": data["images"],
            "identity_recipients": data["identity_recipients"],
        }


class ReviewDecisionForm(forms.Form):
    """Approve, or send back with a comment saying what to change. An
    approval of a testimony the public may see also chooses its public view
    (testimonies.redaction.reidentification); left out, the view chosen before stays."""

    decision = forms.ChoiceField(choices=ReviewDecision.choices)
    comment = forms.CharField(
        label=_("Comment for the documenter"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when sending back. Kept with the reviewed version."),
    )
    public_view = forms.ChoiceField(
        label=_("What the public sees"),
        choices=[(g.key, g.label) for g in GENERALISATIONS.values()],
        required=False,
        widget=forms.RadioSelect,
    )

    def clean_public_view(self):
        key = self.cleaned_data["public_view"]
        return GENERALISATIONS[key] if key else None

    def clean(self):
        cleaned = super().clean()
        comment = cleaned.get("comment", "").strip()
        if cleaned.get("decision") == ReviewDecision.SENT_BACK and not comment:
            self.add_error(
                "comment",
                forms.ValidationError(_("Say what needs to change."), "required"),
            )
        cleaned["comment"] = comment
        return cleaned


class PublicReleaseForm(forms.Form):
    """Release a testimony held back from the public, with the public view
    chosen after seeing the re-identification check again."""

    public_view = forms.ChoiceField(
        label=_("What the public sees"),
        choices=[(g.key, g.label) for g in GENERALISATIONS.values()],
        widget=forms.RadioSelect,
    )

    def clean_public_view(self):
        return GENERALISATIONS[self.cleaned_data["public_view"]]


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
        # Only what is granted now can be withdrawn; the showing of photos
        # and documents (IMAGES) is withdrawn like a scope.
        self.fields["scopes"].choices = [
            (scope, _("Photos and documents shown") if scope == IMAGES else
             ConsentScope(scope).label)
            for scope in granted
        ]  # fmt: skip
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
