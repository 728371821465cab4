"""Record a referral that came by phone, email, post, in person or from another agency: two
pages on one URL. The first asks how and when it arrived and who made it; the second asks the
referral form's questions for that kind of referrer. HTTP only: the forms check, one service
records (referrals/staff_intake)."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.debug import sensitive_post_parameters

from referrals import roles
from referrals.choices import Channel
from referrals.staff_intake import drafts, forms, selectors
from referrals.staff_intake import files as intake_files
from referrals.staff_intake.services import record_referral

ARRIVAL_TEMPLATE = "admin/referrals/referral/record_arrival.html"
DETAILS_TEMPLATE = "admin/referrals/referral/record_details.html"


class RecordViews:
    """For ReferralAdmin: the two pages of "Record a referral"."""

    def record_urls(self, wrap) -> list:
        return [path("record/", wrap(self.record_view), name="referrals_referral_record")]

    @staticmethod
    def _salt(request) -> str:
        return forms.arrival_salt(request.user)

    def record_view(self, request):
        if not roles.can(request.user, "referrals.record_referral"):
            raise PermissionDenied
        if request.method == "POST" and request.POST.get("stage") == "details":
            return sensitive_post_parameters()(self._details)(request, request.POST)
        kept = drafts.take(request.user) if request.method == "GET" else None
        if kept is not None:
            data, draft = kept
            return self._details(request, data, kept_at=draft.saved_at)
        arrival = forms.ArrivalForm(request.POST if request.method == "POST" else None)
        if arrival.is_bound and arrival.is_valid():
            chosen = {**arrival.arrival(), "token": secrets.token_urlsafe(24)}
            return self._details_page(request, chosen, forms.details_forms(chosen["reporter_type"]))
        return self._arrival_page(request, arrival)

    def _details(self, request, data, kept_at=None):
        try:
            arrival = signing.loads(
                data.get("arrival", ""), salt=self._salt(request), max_age=forms.ARRIVAL_MAX_AGE
            )
        except signing.BadSignature:
            return self._arrival_page(
                request,
                forms.ArrivalForm(),
                problem="Start again: the answers from the first page could not be read, or "
                "were given more than 12 hours ago.",
                status=400,
            )
        stored = selectors.recorded_with(arrival["token"])
        if stored is not None:  # pressed twice, or sent again after a lost response
            return redirect(reverse("admin:referrals_referral_change", args=[stored.pk]))
        # Files sent with the page are kept (sealed) whatever else is wrong with it, so the
        # officer never chooses them twice; a refused one is named with the reason.
        file_errors = intake_files.hold_sent(request, arrival["token"])
        sections = forms.details_forms(arrival["reporter_type"], data=data)
        answers = forms.answers_from(arrival, sections)
        if answers is None or kept_at is not None or file_errors:
            # Kept from a session that ended: shown to check, never recorded unseen.
            return self._details_page(
                request, arrival, sections, kept_at=kept_at, file_errors=file_errors
            )
        received_at = datetime.fromisoformat(arrival["received_at"])
        if data.get("checked") != "yes":
            # Before anything is stored: is this one already held, sent online or recorded
            # by a colleague from another call? The officer looks, then records it or not.
            held = selectors.already_held(answers, received_at)
            if held:
                return self._details_page(request, arrival, sections, held=held)
        referral = record_referral(
            answers=answers,
            channel=Channel(arrival["channel"]),
            received_at=received_at,
            received_by=arrival["received_by"],
            recorded_by=request.user,
            token=arrival["token"],
        )
        messages.success(request, f"Referral {referral.reference} recorded.")
        return redirect(reverse("admin:referrals_referral_change", args=[referral.pk]))

    def _arrival_page(self, request, form, *, problem="", status=200):
        context = {
            **self.admin_site.each_context(request),
            "title": "Record a referral",
            "form": form,
            "error_links": form.error_links() if form.is_bound else [],
            "problem": problem,
        }
        return TemplateResponse(request, ARRIVAL_TEMPLATE, context, status=status)

    def _details_page(self, request, arrival, sections, held=(), kept_at=None, file_errors=()):
        links = (
            forms.error_links(sections, arrival)
            if any(form.is_bound for _, section in sections for form in section)
            else []
        )
        context = {
            "held": held,
            "kept_at": kept_at,
            "file_errors": file_errors,
            "held_files": intake_files.names_held(request, arrival["token"]),
            **self.admin_site.each_context(request),
            "title": "Record a referral: the referral form",
            "arrival": arrival,
            "channel": Channel(arrival["channel"]).label,
            "received_at": datetime.fromisoformat(arrival["received_at"]),
            "signed_arrival": signing.dumps(arrival, salt=self._salt(request)),
            "sections": sections,
            "error_links": links + [("id_files", error) for error in file_errors],
        }
        return TemplateResponse(request, DETAILS_TEMPLATE, context)
