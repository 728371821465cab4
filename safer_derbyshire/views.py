"""Views for the public guidance pages: templates only, nothing stored, nothing read."""

from django.views.generic import TemplateView

from .pages import GUIDANCE, Page


class GuidancePageView(TemplateView):
    page: Page | None = None

    def get_template_names(self):
        return [self.page.template]

    def get_context_data(self, **kwargs):
        return super().get_context_data(page=self.page, guidance_pages=GUIDANCE, **kwargs)
