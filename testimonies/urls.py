from django.urls import path

from . import views

app_name = "testimonies"

urlpatterns = [
    path("<slug:public_id>/", views.testimony_detail, name="detail"),
    path("<slug:public_id>/withdraw/", views.testimony_withdraw, name="withdraw"),
    path("<slug:public_id>/erase/", views.testimony_erase, name="erase"),
]
