from django.urls import path

from testimonies.consent import moderation_views
from testimonies.moderation import views as queue_views
from testimonies.witnesses import views as witness_key_views

app_name = "moderation"

# `witness-keys/` and `batch/` before `<slug:public_id>/`, which would take it.
urlpatterns = [
    path("", queue_views.queue, name="queue"),
    path("batch/", queue_views.queue_batch, name="queue-batch"),
    path("witness-keys/", witness_key_views.witness_keys, name="witness-keys"),
    path("<slug:public_id>/", moderation_views.review, name="review"),
]
