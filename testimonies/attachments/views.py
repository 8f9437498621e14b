"""Attachments: the upload page, removing, blurring, and the one view that
serves media files. Nothing under MEDIA_ROOT has a URL of its own."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from archive.access import moderator_required, second_factor_first
from archive.ratelimit import rate_limited
from archive.redirects import same_site_or
from testimonies.attachments import services
from testimonies.attachments.forms import (
    AttachmentForm,
    BlurRegionFormSet,
    blur_regions_from,
)
from testimonies.attachments.processing import display_size, refuse_too_large
from testimonies.attachments.selectors import (
    attachment_file,
    attachment_for_blur,
    attachment_for_removal,
    file_url,
    testimony_for_attachments,
)
from testimonies.attachments.uploads import AttachmentUploadHandler, request_too_large
from testimonies.recording.views import (
    is_media_step,
    media_step_leave,
    media_step_refused,
)


# CSRF is checked by _receive, once the upload handler is in place: the
# token is read from the body, and the handler must be set before it is.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@never_cache
@second_factor_first
def attachments(request, public_id):
    """List a testimony's attachments and take a new one. For the recording
    documenter while it is a draft or sent back, and moderators; 404 for
    anyone else. After a successful upload, goes to the `next` given (a
    same-site address only), else back here."""
    testimony = testimony_for_attachments(public_id=public_id, user=request.user)
    if request.method != "POST":
        form = AttachmentForm(initial={"next": request.GET.get("next", "")})
        return _page(request, testimony, form)
    if request_too_large(request):
        # Refused before the body is read. Nothing is written either way,
        # so no CSRF check is needed to say no.
        form = AttachmentForm(initial={"next": request.GET.get("next", "")})
        return _page(request, testimony, form, refusal=refuse_too_large(), status=413)
    handler = AttachmentUploadHandler(request)
    request.upload_handlers = [handler]
    return csrf_protect(_receive)(request, testimony, handler)


def _receive(request, testimony, handler):
    form = AttachmentForm(request.POST, request.FILES)
    # Continue or Go back on the recording's photos step: they send the
    # upload form, which attaches a chosen file first, or just move on.
    leave_to = None
    if is_media_step(testimony, same_site_or(request, form["next"].value(), "")):
        leave_to = media_step_leave(testimony, request.POST.get("go", ""))
    if handler.too_large:
        form.add_error("file", refuse_too_large())
    elif leave_to and not request.FILES.get("file"):
        return redirect(leave_to)
    if form.is_valid():
        try:
            services.attachment_add(
                testimony=testimony,
                upload=form.cleaned_data["file"],
                by=request.user,
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("The file was added."))
            here = request.path
            return redirect(
                leave_to or same_site_or(request, form.cleaned_data["next"], here)
            )
    return _page(request, testimony, form, status=400)


def _page(request, testimony, form, *, refusal=None, status=200):
    # A refused upload from the recording wizard's photos step shows that
    # step again, the error beside the file field; from another page, it
    # lands here, and "back" returns there, as a successful one would have.
    back = same_site_or(request, form["next"].value() or "", "")
    if back and status != 200 and is_media_step(testimony, back):
        if refusal is not None:
            form = AttachmentForm({"next": back})
            form.refuse_file(refusal)
        return media_step_refused(request, testimony, form, status=status)
    return render(
        request,
        "testimonies/attachment_list.html",
        {
            "testimony": testimony,
            "attachment_form": form,
            "refusal": refusal,
            "back": back,
        },
        status=status,
    )


@require_POST
@second_factor_first
def attachment_remove(request, public_id, attachment_id):
    """Remove an attachment (the policy's Action.ATTACH); 404 otherwise."""
    attachment = attachment_for_removal(
        public_id=public_id, attachment_id=attachment_id, user=request.user
    )
    try:
        services.attachment_remove(attachment=attachment, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The file was removed."))
    default = attachment.testimony.get_absolute_url()
    return redirect(same_site_or(request, request.POST.get("next", ""), default))


@require_http_methods(["GET", "POST"])
@never_cache
@moderator_required
def attachment_blur(request, public_id, attachment_id):
    """Draw the areas blurred on a photo's public copy: a canvas (blur.js),
    or the rectangles' numbers without script. Moderators only."""
    attachment = attachment_for_blur(
        public_id=public_id, attachment_id=attachment_id, user=request.user
    )
    initial = attachment.blur_regions
    formset = BlurRegionFormSet(
        request.POST if request.method == "POST" else None,
        initial=initial,
        prefix="area",
    )
    if formset.is_bound and formset.is_valid():
        try:
            services.attachment_set_blur(
                attachment=attachment,
                regions=blur_regions_from(formset),
                by=request.user,
            )
        except ValidationError as error:
            formset._non_form_errors = formset.error_class(error.messages)
        else:
            messages.success(request, _("The blurred areas were saved."))
            return redirect(request.path)
    return render(
        request,
        "testimonies/attachment_blur.html",
        {
            "attachment": attachment,
            "testimony": attachment.testimony,
            "formset": formset,
            "working_url": file_url(attachment, "working"),
            "public_url": file_url(attachment, "public"),
            "image_size": display_size(attachment.width, attachment.height),
        },
    )


@require_safe
@rate_limited("media")
@second_factor_first
def attachment_file_view(request, public_id, attachment_id, variant):
    """One file of an attachment, if the policy lets this user have that copy
    now; 404 for anything else. Never cached, never sniffed, under a neutral
    name (never the name it was uploaded with)."""
    served = attachment_file(
        public_id=public_id,
        attachment_id=attachment_id,
        variant=variant,
        user=request.user,
    )
    if served.original:
        services.media_original_reading_record(
            attachment=served.attachment, user=request.user
        )
    response = HttpResponse(served.data, content_type=served.media_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Content-Disposition"] = content_disposition_header(
        served.original, served.filename
    )
    return response
