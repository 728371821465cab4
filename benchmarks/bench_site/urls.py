from django.urls import path

from safer_derbyshire.urls import handler500  # noqa: F401
from safer_derbyshire.urls import urlpatterns as site_urlpatterns

from .views import PlainSendView, PlainSentView

urlpatterns = [
    path("bench/plain-send/", PlainSendView.as_view()),
    path("bench/plain-sent/", PlainSentView.as_view(), name="bench_plain_sent"),
    *site_urlpatterns,
]
