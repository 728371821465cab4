"""Error views that render with the request, so error pages get the contact numbers and the
CSP nonce like every other page. Django's defaults render 500 and CSRF pages without it.
"""

from django.http import HttpResponseForbidden, HttpResponseServerError
from django.template import loader


def server_error(request):
    try:
        body = loader.render_to_string("500.html", request=request)
    except Exception:  # the error page itself must never fail
        body = "Sorry, there is a problem with the service. Please try again later."
        return HttpResponseServerError(body, content_type="text/plain")
    return HttpResponseServerError(body)


def csrf_failure(request, reason=""):
    # `reason` is for logs only; the user sees a calm explanation.
    return HttpResponseForbidden(loader.render_to_string("403_csrf.html", request=request))
