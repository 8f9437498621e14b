from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from archive.append_only import AppendOnlyModel


class ConsentScope(models.TextChoices):
    """What a witness may agree to, one purpose at a time
    (docs/import-format.md, consent)."""

    ARCHIVE = "archive", _("Kept in the archive")
    RESEARCHERS = "researchers", _("Shared with researchers")
    ACCOUNTABILITY = "accountability", _("Shared with accountability bodies")
    PUBLIC = "public", _("Published to the public")
    MEDIA = "media", _("Shared with media")
    NAMED = "named", _("Named as the witness")


class ImagesShown(models.TextChoices):
    """The witness's answer to "may your photos and documents be shown, and
    to whom?", asked apart from the scopes: a face or a document can point
    to a witness when no text does. Not asked means not shown: records made
    before the question was asked hold it (the policy's Action.VIEW_MEDIA)."""

    NOT_ASKED = "", _("Not asked yet (not shown)")
    NONE = "none", _("Not shown outside the archive's staff")
    RESEARCHERS = "researchers", _("Shown to researchers")
    PUBLIC = "public", _("Shown to everyone who may read the testimony")


# What a withdrawal may name: the scopes, and the showing of photos and
# documents (its own question).
IMAGES = "images"
WITHDRAWABLE = (*ConsentScope.values, IMAGES)

# The question and each answer in plain words, read out to the witness; shown
# in English and Arabic side by side on the consent form.
IMAGES_QUESTION = _("May the photos and documents be shown, and to whom?")
IMAGES_EXPLANATIONS = {
    ImagesShown.NONE: _(
        "Your photos and documents are kept in the archive; only its staff see them."
    ),
    ImagesShown.RESEARCHERS: _(
        "Vetted researchers who may read your account may also see your photos "
        "and documents, with the faces and details the staff blurred."
    ),
    ImagesShown.PUBLIC: _(
        "Anyone who may read your account may also see your photos and "
        "documents, with the faces and details the staff blurred."
    ),
}


# Whom the witness's identity (name, contact, birth year) and their own
# unredacted words may be given to: a question of its own, asked apart from
# the scopes, because "accountability bodies" is too wide for a name. Each
# line names one body or purpose; an accountability package includes the
# identity only for a recipient named here (testimonies.accountability).
IDENTITY_QUESTION = _(
    "Which bodies or purposes may be given your name and your account in your "
    "own words? Name each one; leave empty for none."
)
IDENTITY_EXPLANATION = _(
    "Only a body named here, for example a court or a UN inquiry, may receive "
    "who you are and your account with its names; every other recipient gets "
    "it with your name and every name in it removed."
)


def identity_recipient_folded(text: str) -> str:
    """A body's name as compared with those a witness named: case, spacing
    and invisible characters do not count, every word does."""
    return " ".join(
        text.replace("\u200c", " ").replace("\u00ad", "").split()
    ).casefold()


class ConsentMethod(models.TextChoices):
    ORAL = "oral", _("Oral")
    WRITTEN = "written", _("Written")


class GuardianRelation(models.TextChoices):
    """How the adult who consented for a minor is related to the child. Never
    the guardian's name: a guardian's name points straight at the witness."""

    PARENT = "parent", _("Parent")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Adult brother or sister")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    LEGAL_GUARDIAN = "legal_guardian", _("Legal guardian (not a relative)")


# One plain line per scope, read out to the witness; shown in English and
# Arabic side by side on the consent form.
SCOPE_EXPLANATIONS = {
    ConsentScope.ARCHIVE: _(
        "Your account is kept safely in this archive; only its staff can read it."
    ),
    ConsentScope.RESEARCHERS: _(
        "Vetted researchers may read it, with your name and every name in it removed."
    ),
    ConsentScope.ACCOUNTABILITY: _(
        "It may be given to courts, UN inquiries and other bodies seeking justice."
    ),
    ConsentScope.PUBLIC: _(
        "Anyone may read it on this website, with every name removed."
    ),
    ConsentScope.MEDIA: _("Journalists may quote it, with every name removed."),
    ConsentScope.NAMED: _(
        "Your own name may appear with your account wherever it is shared."
    ),
}

# What must be explained to a witness before consent counts as informed.
EXPLAINED_POINTS = {
    "explained_purpose": _("The purpose of the archive"),
    "explained_audience": _("Who will be able to see the account"),
    "explained_risks": _("The risks to the witness and to others"),
    "explained_withdrawal": _("The right to withdraw consent at any time"),
}


@dataclass(frozen=True)
class PermittedUse:
    """What a reader may do with a testimony, in a line, from the consent
    in force: whether it may be published (the `public` scope) and quoted
    (the `media` scope), and who may be shown its photos and documents.
    `code` is stable (exports carry it); `text` is for people."""

    code: str
    text: str
    images: str  # ImagesShown
    images_text: str


# (who may read it, quoted) -> (code, text). Accountability bodies are left
# out on purpose: whether a witness gives evidence to a court is nobody's
# business who reads the account.
PERMITTED_USES = {
    ("public", True): (
        "public-quotable",
        _("Public: may be published and quoted, with every name removed"),
    ),
    ("public", False): (
        "public",
        _("Public: may be read by anyone; not for quotation in the media"),
    ),
    ("researchers", True): (
        "researchers-quotable",
        _("Research; journalists may quote it, but not publish it in full"),
    ),
    ("researchers", False): (
        "researchers-only",
        _("Researchers only: not for publication or quotation"),
    ),
    ("staff", True): (
        "staff-only",
        _("Archive staff only: not for research, publication or quotation"),
    ),
    ("staff", False): (
        "staff-only",
        _("Archive staff only: not for research, publication or quotation"),
    ),
}


class ConsentEvent(models.TextChoices):
    GRANT = "grant", _("Consent given or revised")
    WITHDRAWAL = "withdrawal", _("Consent withdrawn")


class ConsentRecord(AppendOnlyModel):
    """One consent event. Each row holds the full state of every scope after
    the event, so the current consent is simply the latest row."""

    testimony = models.ForeignKey(
        "testimonies.Testimony",
        verbose_name=_("testimony"),
        on_delete=models.PROTECT,
        related_name="consent_records",
    )
    event = models.CharField(_("event"), max_length=20, choices=ConsentEvent.choices)
    archive = models.BooleanField(ConsentScope.ARCHIVE.label, default=False)
    researchers = models.BooleanField(ConsentScope.RESEARCHERS.label, default=False)
    accountability = models.BooleanField(
        ConsentScope.ACCOUNTABILITY.label, default=False
    )
    public = models.BooleanField(ConsentScope.PUBLIC.label, default=False)
    media = models.BooleanField(ConsentScope.MEDIA.label, default=False)
    named = models.BooleanField(ConsentScope.NAMED.label, default=False)
    images = models.CharField(
        _("photos and documents shown"),
        max_length=20,
        choices=ImagesShown.choices,
        blank=True,
        default=ImagesShown.NOT_ASKED,
        help_text=_("Its own question, apart from the scopes above."),
    )
    identity_recipients = models.TextField(
        _("identity may be given to"),
        blank=True,
        help_text=_(
            "The bodies or purposes, one a line, that may receive the witness's "
            "identity and unredacted account. Empty: none."
        ),
    )
    method = models.CharField(
        _("method"), max_length=10, choices=ConsentMethod.choices, blank=True
    )
    obtained_by = models.CharField(
        _("obtained by"),
        max_length=200,
        help_text=_("Who took the consent (or received the withdrawal)."),
    )
    obtained_on = models.DateField(_("obtained on"))
    embargo_until = models.DateField(
        _("embargo until"),
        null=True,
        blank=True,
        help_text=_("Nothing is released to any audience before this date."),
    )
    reason = models.TextField(_("reason"), blank=True)
    # The points explained to the witness. Empty (None) means "not recorded":
    # imports (their format has no such field) and records made before these
    # were asked. The consent form always records True or False.
    explained_purpose = models.BooleanField(
        EXPLAINED_POINTS["explained_purpose"], null=True, blank=True, default=None
    )
    explained_audience = models.BooleanField(
        EXPLAINED_POINTS["explained_audience"], null=True, blank=True, default=None
    )
    explained_risks = models.BooleanField(
        EXPLAINED_POINTS["explained_risks"], null=True, blank=True, default=None
    )
    explained_withdrawal = models.BooleanField(
        EXPLAINED_POINTS["explained_withdrawal"], null=True, blank=True, default=None
    )
    witness_is_minor = models.BooleanField(
        _("witness under 18"),
        null=True,
        blank=True,
        default=None,
        help_text=_("Empty: not recorded."),
    )
    guardian_consent = models.BooleanField(_("guardian consented"), default=False)
    guardian_relation = models.CharField(
        _("guardian's relation to the child"),
        max_length=20,
        choices=GuardianRelation.choices,
        blank=True,
    )
    child_assent = models.BooleanField(_("child assented"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["testimony", "pk"]
        get_latest_by = "pk"

    def __str__(self):
        return f"{self.get_event_display()} ({self.obtained_on})"

    def clean(self):
        if self.event == ConsentEvent.GRANT and not self.method:
            raise ValidationError(
                {
                    "method": ValidationError(
                        _("Say how the consent was given."), code="method_missing"
                    )
                }
            )
        if self.event == ConsentEvent.WITHDRAWAL and not self.reason.strip():
            raise ValidationError(
                {
                    "reason": ValidationError(
                        _("A withdrawal needs a reason."), code="reason_missing"
                    )
                }
            )
        granted_beyond_archive = any(
            getattr(self, scope) for scope in ConsentScope.values if scope != "archive"
        )
        if granted_beyond_archive and not self.archive:
            raise ValidationError(
                _("Sharing a testimony needs consent to keep it in the archive."),
                code="archive_required",
            )
        if self.identity_recipients.strip() and not self.accountability:
            raise ValidationError(
                {
                    "identity_recipients": ValidationError(
                        _(
                            "Giving the identity to a body needs consent to "
                            "share with accountability bodies."
                        ),
                        code="identity_without_accountability",
                    )
                }
            )
        if self.event == ConsentEvent.GRANT:
            errors = {**self._minor_errors(), **self._informed_errors()}
            if errors:
                raise ValidationError(errors)

    def _minor_errors(self) -> dict:
        """A child cannot consent alone, nor be overruled by an adult: a
        minor's grant needs the guardian's consent and the child's own
        assent. Guardian details on an adult's record are a mistake."""
        errors = {}
        if self.witness_is_minor:
            if any(self.scopes.values()):
                if not self.guardian_consent:
                    errors["guardian_consent"] = ValidationError(
                        _("A witness under 18 needs a guardian's consent."),
                        code="guardian_consent_missing",
                    )
                if not self.child_assent:
                    errors["child_assent"] = ValidationError(
                        _("A witness under 18 must also agree in their own words."),
                        code="child_assent_missing",
                    )
            if self.guardian_consent and not self.guardian_relation:
                errors["guardian_relation"] = ValidationError(
                    _("Say how the guardian is related to the child."),
                    code="guardian_relation_missing",
                )
        else:
            for name in ("guardian_consent", "child_assent", "guardian_relation"):
                if getattr(self, name):
                    errors[name] = ValidationError(
                        _("Only for a witness under 18."), code="not_a_minor"
                    )
        return errors

    def _informed_errors(self) -> dict:
        """Consent to share beyond the archive counts only when it was
        informed: every point explained. Keeping the account in the archive
        alone (seen by its staff only) may be recorded before that, so that a
        testimony is not lost while the conversation goes on. Points not
        recorded at all (imports) are not judged here; the review shows them
        as not recorded."""
        if not any(
            getattr(self, scope) for scope in ConsentScope.values if scope != "archive"
        ):
            return {}
        return {
            point: ValidationError(
                _(
                    "Explain this to the witness before sharing beyond the "
                    "archive; otherwise record consent to keep it in the "
                    "archive only."
                ),
                code="not_informed",
            )
            for point in EXPLAINED_POINTS
            if getattr(self, point) is False
        }

    @property
    def points_explained(self) -> bool | None:
        """True when every point was explained, False when one was not,
        None when the record does not say."""
        values = [getattr(self, point) for point in EXPLAINED_POINTS]
        if any(value is None for value in values):
            return None
        return all(values)

    @property
    def permitted_use(self) -> PermittedUse:
        readers = (
            "public"
            if self.archive and self.public
            else "researchers"
            if self.archive and self.researchers
            else "staff"
        )
        code, text = PERMITTED_USES[(readers, self.media)]
        return PermittedUse(
            code=code,
            text=str(text),
            images=self.images,
            images_text=str(self.get_images_display()),
        )

    @property
    def identity_recipient_list(self) -> list[str]:
        return [
            line.strip()
            for line in self.identity_recipients.splitlines()
            if line.strip()
        ]

    def names_identity_recipient(self, recipient: str) -> bool:
        """Does this record let `recipient` be given the witness's identity
        and unredacted words? Only a body named in full, on a line of its
        own: "UN" does not open what was given to "UN Commission of Inquiry"."""
        wanted = identity_recipient_folded(recipient)
        return bool(wanted) and any(
            identity_recipient_folded(name) == wanted
            for name in self.identity_recipient_list
        )

    @property
    def scopes(self) -> dict[str, bool]:
        return {scope: getattr(self, scope) for scope in ConsentScope.values}

    @property
    def granted_scopes(self) -> list[str]:
        return [scope for scope, granted in self.scopes.items() if granted]
