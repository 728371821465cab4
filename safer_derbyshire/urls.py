from django.conf import settings
from django.urls import include, path

from staff.sites import staff_site

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
if not settings.SEALING_PUBLIC_ONLY:
    # The public intake deployment holds no private key and serves no staff pages.
    urlpatterns.append(path(settings.STAFF_ADMIN_PATH, staff_site.urls))
urlpatterns.append(path("", include("referrals.urls")))

handler500 = "safer_derbyshire.errors.server_error"
handler403 = "safer_derbyshire.errors.permission_denied"
handler404 = "safer_derbyshire.errors.page_not_found"
