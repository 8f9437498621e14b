from django.urls import path

from . import views

app_name = "testimonies"

urlpatterns = [
    path("<slug:public_id>/", views.testimony_detail, name="detail"),
]
