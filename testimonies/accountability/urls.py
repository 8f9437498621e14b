from django.urls import path

from testimonies.accountability import views

app_name = "accountability"

urlpatterns = [
    path("accountability/package/", views.package, name="package"),
    path("keys/", views.signing_key, name="signing-key"),
    path(
        "keys/archive-signing-key.pem", views.signing_key_file, name="signing-key-file"
    ),
]
