from django.urls import include, path

from .pages import PAGES
from .views import GuidancePageView

urlpatterns = [
    path(
        f"{page.slug}/" if page.slug else "",
        GuidancePageView.as_view(page=page),
        name=page.url_name,
    )
    for page in PAGES
]
urlpatterns += [
    path("", include("referrals.urls")),
]

handler500 = "safer_derbyshire.errors.server_error"
