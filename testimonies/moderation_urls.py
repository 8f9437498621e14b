from django.urls import path

from . import moderation_views

app_name = "moderation"

urlpatterns = [
    path("", moderation_views.queue, name="queue"),
    path("<slug:public_id>/", moderation_views.review, name="review"),
]
