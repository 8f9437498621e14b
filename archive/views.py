"""The archive's own pages: home, audit log, second factor, accounts."""

from base64 import b32encode
from smtplib import SMTPException
from urllib.parse import urlsplit

import django_otp
import segno
from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)
from django.views.i18n import set_language

from archive import selectors, services
from archive.access import moderator_required, second_factor_verified
from archive.audit_check import audit_verify
from archive.bidi import isolated
from archive.forms import (
    ROLE_CHOICES,
    AccountSettingsForm,
    AuditFilterForm,
    EnrolmentForm,
    InvitationAcceptForm,
    InvitationCodeForm,
    InvitationForm,
    PasswordResetCodeForm,
    RoleForm,
    TokenForm,
    UnlockForm,
)
from archive.languages import language_of_path, page_after_in
from archive.ratelimit import rate_limited
from archive.redirects import same_site_or
from archive.roles import Role, role_of
from archive.selectors import audit_entries
from research.access import RESEARCH_ROLES
from research.selectors import saved_searches_with_news
from testimonies import policy
from testimonies.core.selectors import archive_overview
from testimonies.policy import Action

AUDIT_PAGE_SIZE = 50


@require_safe
@never_cache
@rate_limited("search")
def home(request):
    context = {"overview": archive_overview(user=request.user)}
    if role_of(request.user) in RESEARCH_ROLES:
        # Counted now, with what the user may read now (never mailed).
        context["saved_searches"] = saved_searches_with_news(user=request.user)
    return render(request, "home.html", context)


@require_http_methods(["GET", "POST"])
def language_switch(request):
    """Django's set_language (the same-host check on `next`, the cookie that
    remembers the choice), reading `next` in the language it is written in:
    a page URL resolves only under its own language, and `next` then comes
    back as the same page and query string in the chosen one."""
    next_url = request.POST.get("next", request.GET.get("next"))
    page = next_url or request.META.get("HTTP_REFERER", "")
    with translation.override(language_of_path(urlsplit(page).path)):
        response = set_language(request)
    chosen = request.POST.get("language")
    if response.has_header("Location") and chosen in dict(settings.LANGUAGES):
        response["Location"] = page_after_in(response["Location"], chosen)
    return response


@never_cache
@require_GET
@moderator_required
def audit_log(request):
    """The audit log for moderators, filtered and paged."""
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(audit_entries(**filters), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "archive/audit_log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@never_cache
@require_POST
@moderator_required
def audit_check(request):
    """Walk the whole chain now and show the result."""
    return render(request, "archive/audit_check.html", {"report": audit_verify()})


def lockout(request, original_response=None, credentials=None):
    """The page django-axes shows instead of the login form once a username
    is locked out from this address (settings.AXES_LOCKOUT_CALLABLE)."""
    username = get_client_username(request, credentials) or ""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cool_off_minutes": int(get_cool_off(request).total_seconds() // 60),
        "ends": selectors.lockout_ends(
            username=username, ip_address=getattr(request, "axes_ip_address", None)
        ),
    }
    response = render(request, "registration/lockout.html", context, status=429)
    response["Cache-Control"] = "no-store"
    return response


def _safe_next(request) -> str:
    """Where to go after the second factor: `next` when it stays on this
    site, else the home page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return same_site_or(request, target, reverse("home"))


def _qr_svg(device) -> str:
    # segno draws the otpauth:// URL as an SVG element: shapes only, no
    # script, no external reference, and nothing from the request in it.
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=2, title=_("QR code for your authenticator app")
    )
    return mark_safe(svg)  # noqa: S308


def _key_for_typing(device) -> str:
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
@login_required
def two_factor(request):
    """Prove a second factor for this session: enrol an authenticator app
    if the account has none, otherwise enter its current code.

    Moderators must pass here before their pages (archive.access); others
    may enrol but are never asked to.
    """
    user = request.user
    next_url = _safe_next(request)
    if second_factor_verified(user):
        return redirect(next_url)
    enrolling = not selectors.totp_devices_confirmed(user=user).exists()
    if enrolling and role_of(user) is Role.MODERATOR:
        # A moderator's app is set up only through a link another moderator
        # issues (enrol): a password alone must never add one.
        return render(request, "registration/two_factor.html", {"needs_link": True})
    device = services.totp_device_enrol(user=user) if enrolling else None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if enrolling:
                device = services.totp_device_confirm(
                    device=device, token=form.cleaned_data["code"]
                )
            else:
                device = services.totp_verify(
                    user=user, token=form.cleaned_data["code"]
                )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            django_otp.login(request, device)
            # A session that gained a privilege gets a new key.
            request.session.cycle_key()
            if enrolling:
                messages.success(request, _("Your authenticator app is set up."))
            return redirect(next_url)
    context = {
        "form": form,
        "next": next_url,
        "enrolling": enrolling,
        "required": role_of(user) is Role.MODERATOR,
    }
    if enrolling:
        context.update(qr_svg=_qr_svg(device), key=_key_for_typing(device))
    return render(request, "registration/two_factor.html", context)


# The enrolment link a session is setting up an app through.
ENROLMENT_SESSION_KEY = "archive_enrolment_link"


@never_cache
@sensitive_post_parameters("enrolment_code", "password", "code")
@require_http_methods(["GET", "POST"])
def enrol(request):
    """A moderator account sets up its authenticator app through a one-time
    link (services.enrolment_link_issue): first the link's code with the
    account's username and password, then the new app's first code. The
    code reaches the server only in POST bodies: the link carries it after
    "#", which browsers never send, and the page's script moves it into the
    form and off the address bar."""
    if request.method == "POST" and request.POST.get("step") == "confirm":
        return _enrol_confirm(request)
    form = EnrolmentForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        user, link = form.cleaned_data["user"], form.cleaned_data["link"]
        auth_login(request, user)
        request.session[ENROLMENT_SESSION_KEY] = link.pk
        device = services.totp_device_enrol(user=user, link=link)
        return _enrol_app_page(request, device, TokenForm())
    return render(request, "registration/enrol.html", {"form": form})


def _enrol_confirm(request):
    user = request.user
    link = None
    if user.is_authenticated:
        link = selectors.enrolment_link_in_use(
            pk=request.session.get(ENROLMENT_SESSION_KEY), user=user
        )
    if link is None:
        form = EnrolmentForm(request=request)
        form.add_error(None, _("Start again from the link."))
        return render(request, "registration/enrol.html", {"form": form})
    device = services.totp_device_enrol(user=user, link=link)
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            device = services.enrolment_device_confirm(
                link=link, device=device, token=form.cleaned_data["code"]
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            django_otp.login(request, device)
            request.session.cycle_key()
            messages.success(request, _("Your authenticator app is set up."))
            return redirect("home")
    return _enrol_app_page(request, device, form)


def _enrol_app_page(request, device, form):
    return render(
        request,
        "registration/enrol.html",
        {
            "setting_up": True,
            "form": form,
            "qr_svg": _qr_svg(device),
            "key": _key_for_typing(device),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@moderator_required
def roles(request):
    """Every account, its role and lockout; moderators change roles and
    lift lockouts here. Accounts are named by username in the form body."""
    if request.method == "POST":
        link = None
        if request.POST.get("action") == "unlock":
            _unlock(request)
        elif request.POST.get("action") == "reset-second-factor":
            link = _reset_second_factor(request)
        elif request.POST.get("action") == "withdraw-invitation":
            _withdraw_invitation(request)
        elif request.POST.get("action") in ("deactivate", "reactivate"):
            _set_active(request, active=request.POST["action"] == "reactivate")
        else:
            link = _set_role(request)
        return link or redirect("roles")
    accounts = selectors.account_list()
    return render(
        request,
        "archive/account_roles.html",
        {
            "accounts": accounts,
            "invitations": selectors.invitations_pending(),
            "role_choices": ROLE_CHOICES,
            # The accounts this moderator may deactivate or reactivate.
            "active_changeable": {
                row.user.pk
                for row in accounts
                if policy.allows(request.user, Action.SET_ACCOUNT_ACTIVE, row.user)
            },
        },
    )


def _form_error(request, form):
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _set_role(request):
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _form_error(request, form)
    user, role = form.cleaned_data["user"], form.cleaned_data["role"]
    try:
        change = services.user_role_set(user=user, role=role, changed_by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return None
    names = {"username": isolated(user.get_username()), "role": role_label(role)}
    if change.old is role:
        messages.info(request, _("%(username)s already has that role.") % names)
        return None
    messages.success(request, _("%(username)s is now: %(role)s.") % names)
    if change.enrolment_token:
        return _enrolment_link_page(request, user, change.enrolment_token)
    return None


def _enrolment_link_page(request, user, token):
    """The enrolment link, shown once, in the answer to the POST that issued
    it (never through a redirect, a message or a URL the server sees)."""
    response = render(
        request,
        "registration/enrolment_link.html",
        {
            "account": user,
            "link": request.build_absolute_uri(reverse("enrol")) + "#" + token,
            "hours": services.ENROLMENT_LINK_HOURS,
        },
    )
    response["Referrer-Policy"] = "no-referrer"
    return response


def role_label(role: Role) -> str:
    return _("no role") if role is Role.PUBLIC else str(role.label)


def _reset_second_factor(request):
    form = UnlockForm(request.POST)
    if not form.is_valid():
        return _form_error(request, form)
    user = form.cleaned_data["user"]
    try:
        reset = services.totp_devices_reset(user=user, reset_by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return None
    names = {"username": isolated(user.get_username())}
    if reset.enrolment_token:
        return _enrolment_link_page(request, user, reset.enrolment_token)
    if reset.removed:
        messages.success(
            request,
            _("%(username)s will set up a new authenticator app at next login.")
            % names,
        )
    else:
        messages.info(request, _("%(username)s had no authenticator app.") % names)
    return None


def _withdraw_invitation(request):
    """Invitations are named by their username in the form body (their
    ids are sequential)."""
    found = selectors.invitation_pending_named(
        username=request.POST.get("invitation", "")
    )
    if found is None:
        messages.info(request, _("That invitation is no longer waiting."))
        return
    names = {"username": isolated(found.username)}
    if services.invitation_withdraw(invitation=found, withdrawn_by=request.user):
        messages.success(
            request, _("The invitation to %(username)s is withdrawn.") % names
        )
    else:
        messages.info(request, _("That invitation is no longer waiting."))


def _set_active(request, *, active: bool):
    form = UnlockForm(request.POST)
    if not form.is_valid():
        return _form_error(request, form)
    user = form.cleaned_data["user"]
    names = {"username": isolated(user.get_username())}
    try:
        changed = services.user_active_set(
            user=user, active=active, changed_by=request.user
        )
    except PermissionDenied:
        messages.error(request, _("You cannot change whether this account is active."))
        return None
    if not changed:
        messages.info(request, _("Nothing changed for %(username)s.") % names)
    elif active:
        messages.success(request, _("%(username)s can log in again.") % names)
    else:
        messages.success(
            request,
            _("%(username)s is deactivated; their sessions have ended.") % names,
        )
    return None


def _unlock(request):
    form = UnlockForm(request.POST)
    if not form.is_valid():
        return _form_error(request, form)
    username = form.cleaned_data["username"]
    names = {"username": isolated(username)}
    if services.user_unlock(username=username, unlocked_by=request.user):
        messages.success(request, _("%(username)s can log in again.") % names)
    else:
        messages.info(request, _("%(username)s was not locked out.") % names)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Django's own view, with its token generator and its move of the token
    into the session; the archive audits the password set through it.

    The mailed link is /accounts/reset/#<reference>.<token>: browsers never
    send what follows "#", so neither part is in any access log (gunicorn's,
    runserver's, the proxy's). The page's script moves it into a form posted
    here; the token goes into the session, and the password is then chosen at
    /accounts/reset/<reference>/set-password/. The reference is random per
    mail (archive.services.password_reset_link_issue), never the account's
    sequential id nor anything derived from it; no URL ever carries a token.
    """

    success_url = reverse_lazy("password-reset-complete")

    # Checked first: Django's view looks at the link before the method, and
    # takes PUT as a POST.
    @method_decorator(require_http_methods(["GET", "POST"]))
    @method_decorator(sensitive_post_parameters())
    @method_decorator(never_cache)
    def dispatch(self, request, *args, **kwargs):
        if "uidb64" in kwargs:
            kwargs["token"] = self.reset_url_token
            return super().dispatch(request, *args, **kwargs)
        return self._link(request)

    def _link(self, request):
        """The link's page: its code, from after the "#", posted in a form."""
        form = PasswordResetCodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            reference, token = form.cleaned_data["reset_code"]
            self.validlink = False
            self.user = self.get_user(reference)
            if self.user is not None and self.token_generator.check_token(
                self.user, token
            ):
                request.session[INTERNAL_RESET_SESSION_TOKEN] = token
                return redirect("password-reset-confirm", uidb64=reference)
            return self.render_to_response(self.get_context_data())
        return render(request, "registration/password_reset_link.html", {"form": form})

    def get_user(self, uidb64):
        return selectors.password_reset_link_user(reference=uidb64)

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_reset_links_end(user=form.user)
        services.password_reset_used_record(user=form.user)
        return response


@never_cache
@require_http_methods(["GET", "POST"])
@moderator_required
def invite(request):
    """A moderator invites someone by e-mail to an account with a role.
    A moderator's invitation shows its enrolment code once, here, to be
    passed on apart from the mail."""
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = services.invitation_send(
                email=data["email"],
                username=data["username"],
                role=data["role"],
                invited_by=request.user,
                link_base=request.build_absolute_uri(reverse("invitation")),
            )
        except ValidationError as error:
            form.add_error(None, error)
        except (SMTPException, OSError):
            form.add_error(
                None,
                _(
                    "The mail could not be sent, so no invitation was kept. Try "
                    "again later, or ask the operator to check the mail settings."
                ),
            )
        else:
            names = {"username": isolated(data["username"])}
            messages.success(request, _("Invitation sent to %(username)s.") % names)
            if not sent.enrolment_code:
                return redirect("roles")
            response = render(
                request,
                "archive/invitation_sent.html",
                {"invitation": sent.invitation, "code": sent.enrolment_code},
            )
            response["Referrer-Policy"] = "no-referrer"
            return response
    return render(
        request,
        "archive/invitation_form.html",
        {"form": form, "hours": services.INVITATION_HOURS},
    )


# The invitation a session is accepting, once its code was given.
INVITATION_SESSION_KEY = "archive_invitation"


@never_cache
@sensitive_post_parameters(
    "invitation_code", "password1", "password2", "enrolment_code"
)
@require_http_methods(["GET", "POST"])
def invitation(request):
    """An invitation's link: first its code (carried after "#", moved into
    the form by the page's script, as for enrolment links), then the
    invitee's password; a moderator then sets up their authenticator app
    in the same flow, through the existing enrolment pages."""
    if request.method == "POST" and request.POST.get("step") == "accept":
        return _invitation_accept(request)
    form = InvitationCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        found = services.invitation_find(token=form.cleaned_data["invitation_code"])
        why = services.invitation_refusal(found) if found else ""
        if found is None:
            form.add_error("invitation_code", _("This invitation code is not right."))
        elif why:
            services.invitation_refused_record(invitation=found, why=why)
            form.add_error(None, _INVITATION_SPENT)
        else:
            request.session[INVITATION_SESSION_KEY] = found.pk
            return _invitation_accept_page(
                request, InvitationAcceptForm(invitation=found)
            )
    return render(request, "registration/invitation.html", {"form": form})


_INVITATION_SPENT = gettext_lazy(
    "This invitation has been used or has expired. Ask the moderator who "
    "invited you for a new one."
)


def _invitation_code_page(request, error):
    """The invitation's first step again, with why the flow started over."""
    return render(
        request,
        "registration/invitation.html",
        {"form": InvitationCodeForm(), "error": error},
    )


def _invitation_accept_page(request, form):
    return render(
        request,
        "registration/invitation.html",
        {"accepting": True, "form": form, "invitation": form.invitation},
    )


def _invitation_accept(request):
    found = selectors.invitation_in_session(
        pk=request.session.get(INVITATION_SESSION_KEY)
    )
    if found is None:
        return _invitation_code_page(request, _("Start again from the link."))
    form = InvitationAcceptForm(request.POST, invitation=found)
    if not form.is_valid():
        return _invitation_accept_page(request, form)
    try:
        accepted = services.invitation_accept(
            invitation=found,
            password=form.cleaned_data["password1"],
            enrolment_code=form.cleaned_data.get("enrolment_code", ""),
        )
    except ValidationError as error:
        if error.code == "enrolment_code":
            form.add_error("enrolment_code", error)
            return _invitation_accept_page(request, form)
        request.session.pop(INVITATION_SESSION_KEY, None)
        message = _INVITATION_SPENT if error.code == "spent" else error.messages[0]
        return _invitation_code_page(request, message)
    request.session.pop(INVITATION_SESSION_KEY, None)
    auth_login(request, accepted.user, backend=ACCOUNT_BACKEND)
    if accepted.enrolment_link is None:
        messages.success(request, _("Welcome. Your account is ready."))
        return redirect("home")
    request.session[ENROLMENT_SESSION_KEY] = accepted.enrolment_link.pk
    device = services.totp_device_enrol(
        user=accepted.user, link=accepted.enrolment_link
    )
    return _enrol_app_page(request, device, TokenForm())


# The backend an invitee is logged in with once their password is set.
ACCOUNT_BACKEND = "archive.authentication.AccountBackend"


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def account_settings(request):
    """An account's own settings (every role): the time zone its pages show
    times in, the Arabic month names its dates are written with."""
    current = selectors.account_settings_of(user=request.user)
    form = AccountSettingsForm(
        request.POST or None,
        initial={"time_zone": current.time_zone, "month_names": current.month_names},
    )
    if request.method == "POST" and form.is_valid():
        services.account_settings_save(
            user=request.user,
            time_zone=form.cleaned_data["time_zone"],
            month_names=form.cleaned_data["month_names"] or None,
        )
        messages.success(request, _("Your settings are saved."))
        return redirect("account-settings")
    return render(request, "archive/account_settings.html", {"form": form})
