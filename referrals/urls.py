from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("share-a-concern/", views.StartView.as_view(), name="start"),
    path(
        "share-a-concern/before-you-start/",
        views.JourneyPageView.as_view(
            template_name="referrals/before_you_start.html", starts_journey=True
        ),
        name="before_you_start",
    ),
    path(
        "share-a-concern/call-999/",
        views.JourneyPageView.as_view(template_name="referrals/call_999.html", clears_journey=True),
        name="call_999",
    ),
    path(
        "share-a-concern/expired/",
        views.JourneyPageView.as_view(template_name="referrals/expired.html", clears_journey=True),
        name="expired",
    ),
    path(
        "share-a-concern/staying-safe-online/",
        views.JourneyPageView.as_view(template_name="referrals/staying_safe.html"),
        name="staying_safe",
    ),
    path("share-a-concern/exit/", views.exit_page, name="exit"),
    path("check-for-a-reply/", views.CheckRepliesView.as_view(), name="replies"),
    path("check-for-a-reply/send/", views.ReplyView.as_view(), name="reply"),
    path("share-a-concern/check-your-answers/", views.CheckAnswersView.as_view(), name="check"),
    path("share-a-concern/sent/", views.SentView.as_view(), name="sent"),
    path("share-a-concern/<slug:slug>/", views.StepView.as_view(), name="step"),
]
