from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("share-a-concern/", views.StartView.as_view(), name="start"),
]
