"""The recording steps: a documenter (or a moderator) records a testimony
page by page, each page saved to the server.

Every step's form posts to its own page; "go" says where to after saving:
the next step, the previous one, or the same page. Back and the autosave
(static/js/recording.js, which sends the header X-Recording-Autosave and
gets JSON back) save whatever was typed; Next asks for every required
field. Anyone but the recording documenter and moderators gets 404.
"""

from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from archive.access import role_required
from archive.roles import Role, role_of
from testimonies import policy
from testimonies.consent.forms import ConsentForm
from testimonies.consent.models.consent import ConsentEvent
from testimonies.consent.selectors import consent_summary
from testimonies.consent.services.consent import consent_capture
from testimonies.consent.services.review import testimony_submit
from testimonies.core.models import Language
from testimonies.core.services import original_reading_record
from testimonies.models import ConsentRecord
from testimonies.places.gazetteer import places_search
from testimonies.recording.forms import (
    AccountForm,
    WhatForm,
    WhenWhereForm,
    WitnessForm,
    form_error_summary,
)
from testimonies.recording.selectors import recording_review, testimony_for_recording
from testimonies.recording.services import (
    recording_account_save,
    recording_start,
    recording_what_save,
    recording_when_where_save,
    recording_witness_save,
)
from testimonies.recording.steps import (
    ACCOUNT,
    CONSENT,
    MEDIA,
    REVIEW,
    STEPS,
    WHAT,
    WHEN_WHERE,
    WITNESS,
    step_after,
    step_before,
    step_by_slug,
    steps_done,
)
from testimonies.vault.identity import identity_exists

RECORDERS = (Role.DOCUMENTER, Role.MODERATOR)
AUTOSAVE_HEADER = "X-Recording-Autosave"
# The steps whose pages show the account as written (names in it): their
# showing is logged, as the testimony page's original is.
SHOWS_ORIGINAL = {ACCOUNT, WHAT, REVIEW}


def _step_url(testimony, slug):
    return reverse(
        "testimonies:record-step",
        kwargs={"public_id": testimony.public_id, "step": slug},
    )


# The drafts whose photos step this session has opened (public ids, the
# latest few): the step is optional, so opening it is what "done" means.
MEDIA_SEEN_SESSION_KEY = "recording_media_seen"
MEDIA_SEEN_KEPT = 50


def _media_seen(request, testimony) -> bool:
    return testimony.public_id in request.session.get(MEDIA_SEEN_SESSION_KEY, [])


def _media_seen_note(request, testimony) -> None:
    seen = [
        public_id
        for public_id in request.session.get(MEDIA_SEEN_SESSION_KEY, [])
        if public_id != testimony.public_id
    ]
    request.session[MEDIA_SEEN_SESSION_KEY] = [testimony.public_id, *seen][
        :MEDIA_SEEN_KEPT
    ]


def _render_step(request, testimony, step, context, *, status=200):
    done = steps_done(testimony) if testimony is not None else {}
    if testimony is not None:
        # Photos are optional: done once a file is attached or the step
        # was opened, never "to do".
        done[MEDIA] = _media_seen(request, testimony) or testimony.attachments.exists()
    form = context.get("form")
    return render(
        request,
        f"testimonies/recording/step_{step.replace('-', '_')}.html",
        {
            "testimony": testimony,
            "step": step_by_slug(step),
            "steps": [
                {
                    "slug": item.slug,
                    "title": item.title,
                    "done": done.get(item.slug),
                    "current": item.slug == step,
                }
                for item in STEPS
            ],
            "previous": step_before(step),
            "next": step_after(step),
            "error_summary": form_error_summary(form) if form is not None else [],
            **context,
        },
        status=status,
    )


def _interface_language() -> str:
    language = (get_language() or "en").split("-")[0]
    return language if language in Language.values else Language.ENGLISH


@require_http_methods(["GET", "POST"])
@never_cache
@role_required(*RECORDERS)
def record_start(request):
    """Step 1 of a new testimony: the witness. Saving it creates the draft."""
    form = WitnessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            testimony = recording_start(
                details=form.details(),
                user=request.user,
                language=_interface_language(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _saved_witness_message(request, testimony.witness)
            return redirect(_step_url(testimony, ACCOUNT))
    return _render_step(request, None, WITNESS, {"form": form})


def _saved_witness_message(request, witness):
    messages.success(
        request,
        _(
            "The identity is sealed in the vault. This witness is known in the "
            "archive as %(pseudonym)s."
        )
        % {"pseudonym": witness.pseudonym},
    )


@require_http_methods(["GET", "POST"])
@never_cache
@role_required(*RECORDERS)
def record_step(request, public_id, step):
    """One step of a draft: show it, or save it and go on."""
    if step_by_slug(step) is None:
        raise Http404
    testimony = testimony_for_recording(public_id=public_id, user=request.user)
    if request.method == "GET" and step in SHOWS_ORIGINAL:
        original_reading_record(
            testimony=testimony, user=request.user, page="recording"
        )
    return STEP_VIEWS[step](request, testimony, step)


def _target(request, testimony, step):
    go = request.POST.get("go", "next")
    slug = {"back": step_before(step), "stay": step}.get(go, step_after(step))
    return _step_url(testimony, slug or step)


def _form_step(form_class, save, *, initial_for=None, form_kwargs=None):
    """A step whose form saves through `save(testimony, form)`."""

    def view(request, testimony, step):
        kwargs = form_kwargs(testimony, request.user) if form_kwargs else {}
        autosave = request.headers.get(AUTOSAVE_HEADER) == "1"
        if autosave and not (request.method == "POST" and step_by_slug(step).autosaves):
            # The identity is sent only when the documenter chooses to.
            return JsonResponse({"saved": False, "errors": {}}, status=400)
        if request.method != "POST":
            initial = initial_for(testimony) if initial_for else {}
            form = form_class(initial=initial, **kwargs)
            return _render_step(request, testimony, step, {"form": form})
        partial = autosave or request.POST.get("go") in ("back", "stay")
        form = form_class(request.POST, partial=partial, **kwargs)
        if form.is_valid():
            try:
                save(request, testimony, form)
            except ValidationError as error:
                form.add_error(None, error)
        if form.errors:
            if autosave:
                return JsonResponse(
                    {"saved": False, "errors": form.errors_as_json()}, status=400
                )
            return _render_step(request, testimony, step, {"form": form})
        if autosave:
            now = timezone.localtime()
            return JsonResponse(
                {"saved": True, "at": time_format(now, "H:i")},
            )
        return redirect(_target(request, testimony, step))

    return view


def _save_witness(request, testimony, form):
    details = form.details()
    witness = recording_witness_save(
        testimony=testimony, details=details, user=request.user
    )
    if details.name or details.name_declined or witness.pk != testimony.witness_id:
        _saved_witness_message(request, witness)


def _save_account(request, testimony, form):
    recording_account_save(testimony=testimony, **form.service_terms())


def _save_when_where(request, testimony, form):
    terms = form.service_terms()
    if request.headers.get(AUTOSAVE_HEADER) == "1":
        # A neighbourhood joins the gazetteer every documenter searches only
        # when the page is saved: autosaved, it would be added as typed, a
        # few letters at a time.
        terms["neighbourhood"] = None
    recording_when_where_save(testimony=testimony, **terms)


def _save_what(request, testimony, form):
    recording_what_save(testimony=testimony, **form.service_terms())


def _media(request, testimony, step):
    """Photos and documents: the attachments panel posts to its own view,
    which comes back here; this page itself saves nothing."""
    if request.method == "POST":
        return redirect(_target(request, testimony, step))
    _media_seen_note(request, testimony)
    return _render_step(request, testimony, step, {})


def is_media_step(testimony, url: str) -> bool:
    """Whether `url` (a same-site address) is `testimony`'s photos step."""
    return urlsplit(url).path == _step_url(testimony, MEDIA)


def media_step_leave(testimony, go: str) -> str | None:
    """Where the photos step's Continue ("next") or Go back ("back") leads
    (sent with the upload form, so that a chosen file is attached first);
    None for anything else."""
    slug = {"next": step_after(MEDIA), "back": step_before(MEDIA)}.get(go)
    return _step_url(testimony, slug) if slug else None


def media_step_refused(request, testimony, form, *, status=400):
    """The photos step again after the attachments view refused an upload
    sent from it: the documenter stays on the step, the error beside the
    file field (the panel shows the view's bound `attachment_form`)."""
    return _render_step(
        request,
        testimony,
        MEDIA,
        {"attachment_form": form, "error_summary": form_error_summary(form)},
        status=status,
    )


def _consent(request, testimony, step):
    """The consent page's own form and service: each save appends a consent
    record, so nothing here is autosaved, and leaving saves nothing."""
    blank = ConsentRecord(
        testimony=testimony, event=ConsentEvent.GRANT, recorded_by=request.user
    )
    if request.method == "POST":
        form = ConsentForm(request.POST, instance=blank)
        if form.is_valid():
            try:
                consent_capture(
                    testimony=testimony, user=request.user, **form.service_terms()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Consent recorded."))
                return redirect(_step_url(testimony, REVIEW))
    else:
        form = ConsentForm(
            instance=blank, initial={"obtained_by": request.user.get_username()}
        )
    summary = consent_summary(list(testimony.consent_records.all()))
    return _render_step(request, testimony, step, {"form": form, "summary": summary})


def _review(request, testimony, step):
    """Everything the draft holds, with a link to change each part; the
    submission is testimony_submit's, as from anywhere else."""
    if request.method == "POST":
        try:
            testimony_submit(testimony=testimony, user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(_step_url(testimony, REVIEW))
        messages.success(request, _("Submitted for review."))
        if role_of(request.user) is Role.DOCUMENTER:
            return redirect("testimonies:mine")
        return redirect(testimony.get_absolute_url())
    return _render_step(
        request,
        testimony,
        step,
        {"review": recording_review(testimony=testimony, user=request.user)},
    )


STEP_VIEWS = {
    WITNESS: _form_step(
        WitnessForm,
        _save_witness,
        form_kwargs=lambda t, user: {
            "has_identity": identity_exists(witness=t.witness),
            "name_declined": t.witness.name_declined,
        },
    ),
    ACCOUNT: _form_step(
        AccountForm, _save_account, initial_for=AccountForm.initial_for
    ),
    WHEN_WHERE: _form_step(
        WhenWhereForm,
        _save_when_where,
        initial_for=WhenWhereForm.initial_for,
        form_kwargs=lambda t, user: {"testimony": t, "user": user},
    ),
    WHAT: _form_step(WhatForm, _save_what, initial_for=WhatForm.initial_for),
    MEDIA: _media,
    CONSENT: _consent,
    REVIEW: _review,
}


@never_cache
@require_GET
@role_required(*RECORDERS)
def place_search(request):
    """Places matching `q` by any name or spelling, each with its trail,
    for the place picker (static/js/place_picker.js): only places the user
    may know (a place another documenter added stays theirs)."""
    query = request.GET.get("q", "")[:100]
    results = [
        {
            "slug": match.place.slug,
            "name": match.place.label,
            "kind": match.place.get_kind_display(),
            "trail": [place.label for place in match.trail],
        }
        for match in places_search(
            query, among=lambda places: policy.places_visible(places, request.user)
        )
    ]
    return JsonResponse({"results": results})
