"""Error pages are styled, calm, and never show a traceback."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path

from safer_derbyshire.urls import urlpatterns as site_urlpatterns

pytestmark = pytest.mark.django_db


def _explode(request):
    raise RuntimeError("secret internal detail")


def _forbidden(request):
    raise PermissionDenied


urlpatterns = [*site_urlpatterns, path("explode/", _explode), path("forbidden/", _forbidden)]
handler500 = "safer_derbyshire.errors.server_error"


def _assert_styled(response, heading):
    html = response.content.decode()
    assert heading in html
    assert "safer-derbyshire" in html  # our stylesheet, so the page is not bare
    assert "0800 789 321" in html
    assert "Traceback" not in html


def test_unknown_url_gives_the_styled_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    _assert_styled(response, "Page not found")


def test_server_error_gives_the_styled_500_without_details(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)

    response = client.get("/explode/")

    assert response.status_code == 500
    _assert_styled(response, "Sorry, there is a problem with the service")
    assert "secret internal detail" not in response.content.decode()


def test_csrf_failure_explains_calmly():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/", {"anything": "x"})

    assert response.status_code == 403
    _assert_styled(response, "Sorry, your form could not be sent")


def test_unknown_host_gives_the_styled_400(client):
    response = client.get("/", HTTP_HOST="attacker.example")

    assert response.status_code == 400
    _assert_styled(response, "Sorry, there is a problem with that request")


def test_permission_denied_gives_the_styled_403(settings, client):
    settings.ROOT_URLCONF = __name__

    response = client.get("/forbidden/")

    assert response.status_code == 403
    _assert_styled(response, "You do not have permission to see this page")
