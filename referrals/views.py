"""Public views for sharing a concern. Thin: validate with a form, keep state, render.

Nothing a reporter types is logged or put in an error report (sensitive_post_parameters), and
journey pages are never cached by the browser or a proxy.
"""

import secrets
import time

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import TemplateView

from safer_derbyshire import contacts
from safer_derbyshire.contacts import EXIT_PAGE_URL
from safer_derbyshire.errors import UNAVAILABLE, service_unavailable

from . import clients, journey, journey_state, mailbox, services, throttle
from .mailbox_forms import CheckForm, ReplyForm


class StartView(TemplateView):
    def get_template_names(self):
        return ["referrals/start.html" if settings.REFERRALS_OPEN else "referrals/closed.html"]


class OpenOnlyMixin:
    """Journey pages answer only while the form is open; otherwise back to the start page."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.REFERRALS_OPEN:
            return redirect("referrals:start")
        return super().dispatch(request, *args, **kwargs)


@method_decorator([never_cache, sensitive_post_parameters()], name="dispatch")
class StepView(OpenOnlyMixin, View):
    def dispatch(self, request, slug):
        if not settings.REFERRALS_OPEN:
            return super().dispatch(request, slug)
        self.step = journey.BY_SLUG.get(slug)
        if self.step is None:
            raise Http404
        try:
            self.answers = journey_state.load(request)
        except journey_state.JourneyStateError:
            return redirect("referrals:expired")
        if journey_state.receipt(self.answers):
            return redirect("referrals:sent")  # sent already: Back and resend change nothing
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
        answers = journey_state.with_send_token({**self.answers, self.step.slug: form.answers()})
        answers = _with_mailbox_keys(answers)
        stop = self.step.stop(answers)
        if stop:
            response = HttpResponseRedirect(reverse(stop))
            journey_state.discard(request, response)
            return response
        target = _after(answers, self.step, changing=request.GET.get("change") == "1")
        if not journey_state.has_journey(request) and not throttle.allow(request, "start"):
            return render(request, "referrals/too_many.html", status=429)
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
        if self.request.GET.get("change") == "1":
            back_url = reverse("referrals:check")
        context = {"form": form, "step": self.step, "back_url": back_url}
        return render(self.request, "referrals/step.html", context)


def _with_mailbox_keys(answers: dict) -> dict:
    """Once every question is answered, prepare the reply mailbox's keys (see journey_state)."""
    if journey_state.MAILBOX_KEYS in answers or journey.first_unanswered(answers) is not None:
        return answers
    token = journey_state.send_token(answers)
    if token is None:
        return answers
    keys = mailbox.keys_for(mailbox.code_for(token))
    return {**answers, journey_state.MAILBOX_KEYS: mailbox.keys_as_json(keys)}


def _after(answers, step, *, changing: bool) -> str:
    """Where to go once a question is answered: new follow-up questions first, then back to
    check your answers when changing an answer, otherwise the next question."""
    unanswered = journey.first_unanswered(answers)
    if changing:
        if unanswered is None:
            return reverse("referrals:check")
        return reverse("referrals:step", kwargs={"slug": unanswered.slug}) + "?change=1"
    following = journey.next_step(answers, step)
    if following is None:
        return reverse("referrals:check")
    return reverse("referrals:step", kwargs={"slug": following.slug})


@method_decorator([never_cache, sensitive_post_parameters()], name="dispatch")
class CheckAnswersView(OpenOnlyMixin, View):
    def dispatch(self, request):
        if not settings.REFERRALS_OPEN:
            return super().dispatch(request)
        try:
            self.answers = journey_state.load(request, patient=request.method == "POST")
        except journey_state.JourneyStateError:
            return redirect("referrals:expired")
        if journey_state.receipt(self.answers):
            return redirect("referrals:sent")  # a second press, or a resend: one referral
        unanswered = journey.first_unanswered(self.answers)
        if unanswered is not None:
            return redirect("referrals:step", slug=unanswered.slug)
        return super().dispatch(request)

    def get(self, request):
        return render(
            request,
            "referrals/check_answers.html",
            {"sections": journey.check_answers(self.answers)},
        )

    def post(self, request):
        if request.POST.get("website"):
            # The honeypot: invisible to people, filled by bots. A person whose browser
            # filled it gets a clear message and loses nothing.
            context = {"sections": journey.check_answers(self.answers), "honeypot_filled": True}
            return render(request, "referrals/check_answers.html", context)
        try:
            # Counted, stored and the answers replaced by the receipt, as one: either the
            # referral is stored and the answers gone, or neither, and the reporter can try
            # again with their answers still there. The journey's send token makes any
            # further send of it find this referral instead of storing another.
            sent = services.submit_referral(
                answers=journey.finished(self.answers),
                draft_id=journey_state.draft_id(request),
                attempt=throttle.attempt(request, "send"),
                send_token=journey_state.send_token(self.answers),
                mailbox_keys=mailbox.keys_from_json(self.answers.get(journey_state.MAILBOX_KEYS)),
                receipt=lambda sent: journey_state.seal_receipt(
                    request, _receipt(sent), self.answers
                ),
            )
        except UNAVAILABLE:
            return service_unavailable(request, not_sent=True)
        if sent is None:
            return render(request, "referrals/too_many.html", status=429)
        # Redirected, so a refresh shows the confirmation again rather than sending again; the
        # address names no reference, so the browser's history holds none.
        response = redirect("referrals:sent")
        journey_state.remember_sent(response, sent.reference)
        return response


def _receipt(sent: services.Sent) -> dict:
    return {
        "reference": sent.reference,
        "under_18": sent.under_18,
        "district": sent.district,
        "sent_at": time.time(),
    }


@method_decorator(never_cache, name="dispatch")
class SentView(View):
    """The confirmation: the reference and reply code, from this browser's receipt only, for
    SENT_PAGE_MAX_AGE after sending; after that, a page that says it was sent and no more."""

    def get(self, request):
        try:
            answers = journey_state.load(request)
        except journey_state.JourneyStateError:
            answers = {}
        except UNAVAILABLE:
            # Sent, but the receipt cannot be read just now: never "not sent" after a send.
            reference = journey_state.sent_reference(request)
            if reference is None:
                raise
            return render(
                request, "referrals/sent_while_unavailable.html", {"reference": reference}
            )
        sent = journey_state.receipt(answers)
        if sent is None:
            return redirect("referrals:start")
        token = journey_state.send_token(answers)
        age = time.time() - float(sent.get("sent_at", 0))
        if token is None or not 0 <= age <= settings.SENT_PAGE_MAX_AGE:
            response = render(request, "referrals/sent_expired.html")
            journey_state.discard(request, response)
            return response
        response = render(
            request,
            "referrals/confirmation.html",
            {
                "reference": sent["reference"],
                "under_18": sent["under_18"],
                "children_services": contacts.children_services(sent.get("district", "")),
                "reply_code": mailbox.code_for(token),
            },
        )
        # The reply code is on this page: never kept by the browser's cache or a proxy.
        response["Cache-Control"] = "no-store"
        # Again here, for a send whose own answer (and so its marker) was lost on the way.
        journey_state.remember_sent(
            response, sent["reference"], max_age=int(settings.SENT_PAGE_MAX_AGE - age)
        )
        return response


@method_decorator(never_cache, name="dispatch")
class JourneyPageView(TemplateView):
    """Journey pages with no question (before you start, stop pages)."""

    clears_journey = False
    # The page a new journey starts from: a sent journey's receipt is forgotten there, so
    # the same browser can share another concern.
    starts_journey = False

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.clears_journey or (self.starts_journey and _was_sent(request)):
            journey_state.discard(request, response)
        return response


def _was_sent(request) -> bool:
    try:
        return journey_state.receipt(journey_state.load(request)) is not None
    except journey_state.JourneyStateError:
        return False


@never_cache
def exit_page(request):
    """'Exit this page': forget the journey, then leave for a neutral site."""
    response = HttpResponseRedirect(EXIT_PAGE_URL)
    journey_state.discard(request, response)
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- Checking for a reply with the reference and reply code (mailbox.py) ----------------------
WRONG_CODE = (
    "The reference number and reply code do not match. Check both and try again: the code "
    "has 16 letters and numbers, in four groups"
)


def _thread(request, opened, code, *, form=None, sent=False, status=200):
    response = render(
        request,
        "referrals/replies_thread.html",
        {
            "opened": opened,
            "code": code,
            "form": form or ReplyForm(),
            "nonce": secrets.token_urlsafe(24),
            "sent": sent,
        },
        status=status,
    )
    # The code is in this page's form: never kept by the browser or any proxy.
    response["Cache-Control"] = "no-store"
    return response


@method_decorator([never_cache, sensitive_post_parameters()], name="dispatch")
class CheckRepliesView(View):
    """Reference + reply code -> the messages from the Prevent team, and a form to reply."""

    template_name = "referrals/replies_check.html"

    def get(self, request):
        return render(request, self.template_name, {"form": CheckForm()})

    def post(self, request):
        form = CheckForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        try:
            opened = mailbox.open_mailbox(
                client=clients.client_hash(request),
                reference=form.cleaned_data["reference"],
                code=form.cleaned_data["code"],
            )
        except mailbox.TooManyTries:
            return render(request, "referrals/replies_locked.html", status=429)
        except mailbox.WrongCode:
            form.add_error("code", WRONG_CODE)
            return render(request, self.template_name, {"form": form}, status=400)
        except UNAVAILABLE:
            return service_unavailable(request)
        return _thread(request, opened, form.cleaned_data["code"])


@method_decorator([never_cache, sensitive_post_parameters()], name="dispatch")
class ReplyView(View):
    """The reporter's reply or added information; the code comes again with it."""

    def post(self, request):
        form = ReplyForm(request.POST)
        credentials = CheckForm(request.POST)
        if not credentials.is_valid():
            return render(
                request, "referrals/replies_check.html", {"form": credentials}, status=400
            )
        try:
            opened = mailbox.open_mailbox(
                client=clients.client_hash(request),
                reference=credentials.cleaned_data["reference"],
                code=credentials.cleaned_data["code"],
            )
            if not form.is_valid():
                return _thread(
                    request, opened, credentials.cleaned_data["code"], form=form, status=400
                )
            mailbox.reply(
                opened=opened, text=form.cleaned_data["text"], nonce=form.cleaned_data["nonce"]
            )
            opened = mailbox.reread(opened)
        except mailbox.TooManyTries:
            return render(request, "referrals/replies_locked.html", status=429)
        except mailbox.WrongCode:
            credentials.add_error("code", WRONG_CODE)
            return render(
                request, "referrals/replies_check.html", {"form": credentials}, status=400
            )
        except UNAVAILABLE:
            return service_unavailable(request, not_sent=True)
        return _thread(request, opened, credentials.cleaned_data["code"], sent=True)
