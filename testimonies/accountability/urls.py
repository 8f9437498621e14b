from django.urls import path

from testimonies.accountability import views

app_name = "accountability"

urlpatterns = [
    path("accountability/package/", views.package, name="package"),
    path("keys/", views.signing_key, name="signing-key"),
]

# The public key as a file: one URL for the scripts that verify packages,
# outside the language prefix (archive/urls.py).
script_urlpatterns = (
    [
        path(
            "keys/archive-signing-key.pem",
            views.signing_key_file,
            name="signing-key-file",
        ),
    ],
    "accountability-api",
)
