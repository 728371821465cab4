"""Public views for sharing a concern. Thin: validate with a form, keep state, render.

Nothing a reporter types is logged or put in an error report (sensitive_post_parameters), and
journey pages are never cached by the browser or a proxy.
"""

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import TemplateView

from safer_derbyshire.contacts import EXIT_PAGE_URL

from . import journey, journey_state


class StartView(TemplateView):
    template_name = "referrals/start.html"


@method_decorator([never_cache, sensitive_post_parameters()], name="dispatch")
class StepView(View):
    def dispatch(self, request, slug):
        self.step = journey.BY_SLUG.get(slug)
        if self.step is None:
            raise Http404
        try:
            self.answers = journey_state.load(request)
        except journey_state.JourneyStateError:
            return redirect("referrals:expired")
        if not journey.may_visit(self.answers, self.step):
            first = journey.first_unanswered(self.answers) or journey.STEPS[0]
            return redirect("referrals:step", slug=first.slug)
        return super().dispatch(request, slug)

    def get(self, request, slug):
        return self.render(self.step.form(self.answers))

    def post(self, request, slug):
        form = self.step.form(self.answers, data=request.POST)
        if not form.is_valid():
            return self.render(form)
        answers = {**self.answers, self.step.slug: form.answers()}
        stop = self.step.stop(answers)
        if stop:
            response = HttpResponseRedirect(reverse(stop))
            journey_state.discard(request, response)
            return response
        following = journey.next_step(answers, self.step)
        target = (
            reverse("referrals:step", kwargs={"slug": following.slug})
            if following
            else reverse("referrals:start")  # check your answers arrives with the next steps
        )
        response = HttpResponseRedirect(target)
        try:
            journey_state.save(request, response, answers)
        except journey_state.JourneyStateError:
            form.add_error(None, "Your answers are too long. Shorten them and try again.")
            return self.render(form)
        return response

    def render(self, form):
        previous = journey.previous_step(self.answers, self.step)
        back_url = (
            reverse("referrals:step", kwargs={"slug": previous.slug})
            if previous
            else reverse("referrals:before_you_start")
        )
        context = {"form": form, "step": self.step, "back_url": back_url}
        return render(self.request, "referrals/step.html", context)


@method_decorator(never_cache, name="dispatch")
class JourneyPageView(TemplateView):
    """Journey pages with no question (before you start, stop pages)."""

    clears_journey = False

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.clears_journey:
            journey_state.discard(request, response)
        return response


@never_cache
def exit_page(request):
    """'Exit this page': forget the journey, then leave for a neutral site."""
    response = HttpResponseRedirect(EXIT_PAGE_URL)
    journey_state.discard(request, response)
    response["Referrer-Policy"] = "no-referrer"
    return response
