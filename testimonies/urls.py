from django.urls import path

from testimonies.attachments import views as attachment_views
from testimonies.consent import views as consent_views
from testimonies.consent import withdrawal_views
from testimonies.core import views
from testimonies.recording import views as recording_views
from testimonies.redaction import views as redaction_views
from testimonies.vault import views as reveal_views

app_name = "testimonies"

# `mine/`, `record/` and `places/` before `<slug:public_id>/`: the slug
# pattern would take them.
urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("record/", recording_views.record_start, name="record-start"),
    path("places/", recording_views.place_search, name="place-search"),
    path("<slug:public_id>/", views.testimony_detail, name="detail"),
    path("<slug:public_id>/consent/", consent_views.consent, name="consent"),
    path("<slug:public_id>/submit/", consent_views.submit, name="submit"),
    path(
        "<slug:public_id>/record/<slug:step>/",
        recording_views.record_step,
        name="record-step",
    ),
    path(
        "<slug:public_id>/withdraw/",
        withdrawal_views.testimony_withdraw,
        name="withdraw",
    ),
    path(
        "<slug:public_id>/identity/",
        reveal_views.testimony_identity,
        name="identity",
    ),
    path("<slug:public_id>/erase/", withdrawal_views.testimony_erase, name="erase"),
    path(
        "<slug:public_id>/redaction/",
        redaction_views.redaction,
        name="redaction",
    ),
    path(
        "<slug:public_id>/attachments/",
        attachment_views.attachments,
        name="attachments",
    ),
    # `remove/` and `blur/` before the variant pattern, which would take them.
    path(
        "<slug:public_id>/attachments/<slug:attachment_id>/remove/",
        attachment_views.attachment_remove,
        name="attachment-remove",
    ),
    path(
        "<slug:public_id>/attachments/<slug:attachment_id>/blur/",
        attachment_views.attachment_blur,
        name="attachment-blur",
    ),
    path(
        "<slug:public_id>/attachments/<slug:attachment_id>/<slug:variant>/",
        attachment_views.attachment_file_view,
        name="attachment-file",
    ),
]
