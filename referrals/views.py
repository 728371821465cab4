"""Public views for sharing a concern. Thin: validate, call a service, render."""

from django.views.generic import TemplateView


class StartView(TemplateView):
    template_name = "referrals/start.html"
