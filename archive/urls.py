from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from archive import views
from archive.forms import PasswordResetRequestForm
from archive.ratelimit import rate_limited
from search import urls as search_urls
from testimonies.accountability import urls as accountability_urls
from testimonies.incidents import urls as incidents_urls

# Login attempts are counted per address (django-axes also locks a username
# at an address): both login forms, the site's and the admin's.
login_limited = rate_limited("login", methods=("POST",))
# Each reset request may send a mail: counted per address.
reset_limited = rate_limited("password_reset", methods=("POST",))

# Interfaces for scripts and machines, and the staff's admin: one URL in every
# language, no prefix, answered in the language the request asks for (the
# remembered choice, then Accept-Language; archive.languages). The admin is
# an operators' tool reached from the menu, never a link shared to readers:
# its addresses stay as the operations docs name them.
urlpatterns = [
    path("i18n/setlang/", views.language_switch, name="set_language"),
    path("", include(search_urls.script_urlpatterns)),
    path("", include(incidents_urls.script_urlpatterns)),
    path("", include(accountability_urls.script_urlpatterns)),
    path("admin/login/", login_limited(admin.site.login)),
    path("admin/", admin.site.urls),
]

# Django's form views take PUT as a POST: a form is only ever posted.
FORM_METHODS = ["get", "head", "post"]

# Pages: Arabic under /ar/, English (the default) without a prefix, so that
# a shared link opens in the language it was shared in.
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        login_limited(
            auth_views.LoginView.as_view(
                redirect_authenticated_user=True, http_method_names=FORM_METHODS
            )
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", views.audit_log, name="audit-log"),
    path("audit/check/", views.audit_check, name="audit-check"),
    path("accounts/two-factor/", views.two_factor, name="two-factor"),
    # The enrolment link's token travels after "#" (never sent in a URL)
    # and in the form's POST body.
    path("accounts/enrol/", login_limited(views.enrol), name="enrol"),
    path("accounts/roles/", views.roles, name="roles"),
    path("accounts/invite/", views.invite, name="invite"),
    path("accounts/settings/", views.account_settings, name="account-settings"),
    # The invitation's code travels after "#" (never sent in a URL) and in
    # the form's POST body, as the enrolment link's does.
    path("accounts/invitation/", login_limited(views.invitation), name="invitation"),
    # Password reset by mail, with Django's own views. The answer to a
    # request is the same whether or not an account has that address.
    path(
        "accounts/password-reset/",
        reset_limited(
            auth_views.PasswordResetView.as_view(
                form_class=PasswordResetRequestForm,
                success_url=reverse_lazy("password-reset-sent"),
                email_template_name="registration/password_reset_email.txt",
                subject_template_name="registration/password_reset_subject.txt",
                http_method_names=FORM_METHODS,
            )
        ),
        name="password-reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password-reset-sent",
    ),
    # The mailed link's reference and token travel after "#" (never sent in
    # a URL) and in the form's POST body; the password is then chosen at a
    # URL with the reference alone (archive.views.PasswordResetConfirm).
    path(
        "accounts/reset/",
        views.PasswordResetConfirm.as_view(),
        name="password-reset-link",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path(
        "accounts/reset/<uidb64>/set-password/",
        views.PasswordResetConfirm.as_view(),
        name="password-reset-confirm",
    ),
    path("testimonies/", include("testimonies.urls")),
    path("moderation/", include("testimonies.moderation_urls")),
    path("research/", include("research.urls")),
    path("", include("testimonies.accountability.urls")),
    path("", include("search.urls")),
    path("", include("testimonies.incidents.urls")),
    prefix_default_language=False,
)
