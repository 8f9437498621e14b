from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from archive import views
from archive.ratelimit import rate_limited

# Login attempts are counted per address (django-axes also locks a username
# at an address): both login forms, the site's and the admin's.
login_limited = rate_limited("login", methods=("POST",))

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        login_limited(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("admin/login/", login_limited(admin.site.login)),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", views.audit_log, name="audit-log"),
    path("audit/check/", views.audit_check, name="audit-check"),
    path("accounts/two-factor/", views.two_factor, name="two-factor"),
    # The enrolment link's token travels after "#" (never sent in a URL)
    # and in the form's POST body.
    path("accounts/enrol/", login_limited(views.enrol), name="enrol"),
    path("accounts/roles/", views.roles, name="roles"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("testimonies/", include("testimonies.urls")),
    path("moderation/", include("testimonies.moderation_urls")),
    path("", include("testimonies.accountability.urls")),
    path("", include("search.urls")),
    path("", include("testimonies.incidents.urls")),
    path("admin/", admin.site.urls),
]
