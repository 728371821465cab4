"""Subject access and rights requests on the staff site: the list by deadline, recording a
request, finding the person's referrals, the review of what a bundle shows, releasing it,
corrections and agreed erasures. HTTP only: referrals/rights does the work."""

from __future__ import annotations

import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters

from referrals import roles
from referrals.models import Disclosure, Referral, RightsMatch, RightsRequest
from referrals.rights import bundle, deadlines, forms, selectors, services
from staff.sites import staff_site

from .base import RoleReadOnlyAdmin

PERMISSION = services.PERMISSION
method_decorator_sensitive = method_decorator(sensitive_post_parameters())
T = "admin/referrals/rightsrequest/"


def _errors(*forms_) -> list[tuple[str, str]]:
    """(input id, message) for the error summary, each linking to its input."""
    links = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        for name, errors in form.errors.items():
            field = form[name] if name in form.fields else None
            target = field.auto_id if field is not None else ""
            if field is not None and getattr(field.field.widget, "input_type", "") == "radio":
                target = f"{field.auto_id}_0"
            links += [(target, str(error)) for error in errors]
    return links


def _answer_choices(items) -> list[tuple[str, str]]:
    """The answers a correction may be added to, as the correction form lists them."""
    return [
        (item.key, f"{item.section}: {item.label}")
        for item in items
        if item.key.startswith("answer:")
    ]


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("all", "All"), *RightsRequest.State.choices]

    def choices(self, changelist):
        # Open requests unless asked otherwise: the list is for what is due.
        for value, label in [(None, "Open"), *self.lookup_choices[:1], *self.lookup_choices[2:]]:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        return queryset.filter(state=self.value() or RightsRequest.State.OPEN)


@admin.register(RightsRequest, site=staff_site)
class RightsRequestAdmin(RoleReadOnlyAdmin):
    view_permission = PERMISSION
    list_display = ["reference", "kind_label", "received_on", "deadline_label", "state"]
    list_display_links = ["reference"]
    list_filter = [StateFilter, "kind"]
    list_per_page = 50
    actions = None
    search_fields = ["reference"]
    search_help_text = "Search by request reference, for example SAR-K7QH-3MXA"
    change_list_template = T + "list.html"

    def get_queryset(self, request):
        return selectors.with_deadline(RightsRequest.objects.all())

    def get_ordering(self, request):
        return ["deadline_on", "id"]

    @admin.display(description="Kind", ordering="kind")
    def kind_label(self, obj):
        return obj.get_kind_display().split(" (")[0]

    @admin.display(description="Due", ordering="deadline_on")
    def deadline_label(self, obj):
        day = f"{obj.deadline:%-d %b %Y}"
        extended = " (extended)" if obj.extended_to else ""
        if obj.state != RightsRequest.State.OPEN:
            return f"{day}{extended}"
        today = timezone.localdate()
        if obj.deadline < today:
            return format_html(
                '{}{}<br><strong class="queue-overdue">Overdue</strong>', day, extended
            )
        if (obj.deadline - today).days <= selectors.DUE_SOON_DAYS:
            return format_html("{}{}<br><strong>Due within a week</strong>", day, extended)
        return f"{day}{extended}"

    def changelist_view(self, request, extra_context=None):
        context = {"title": "Subject access and rights requests", **(extra_context or {})}
        return super().changelist_view(request, context)

    def get_urls(self):
        wrap = self.admin_site.admin_view

        def url(route, view, name):
            return path(route, wrap(view), name=f"referrals_rightsrequest_{name}")

        return [
            url("new/", self.new_view, "new"),
            url("<int:pk>/search/", self.search_view, "search"),
            url("<int:pk>/confirm/", self.confirm_view, "confirm"),
            url("<int:pk>/extend/", self.extend_view, "extend"),
            url("<int:pk>/close/", self.close_view, "close"),
            url("<int:pk>/bundle/", self.bundle_view, "bundle"),
            url("<int:pk>/release/", self.release_view, "release"),
            url("<int:pk>/released/<uuid:disclosure>/", self.released_view, "released"),
            url("<int:pk>/referral/<int:match>/", self.match_view, "match"),
            url("<int:pk>/referral/<int:match>/<str:action>/", self.match_action, "match_action"),
            *super().get_urls(),
        ]

    # --- helpers --------------------------------------------------------------------------

    def _allowed(self, request):
        if not roles.can(request.user, PERMISSION):
            raise PermissionDenied

    def _request(self, request, pk) -> RightsRequest:
        self._allowed(request)
        return get_object_or_404(RightsRequest, pk=pk)

    def _render(self, request, template, context, status=200):
        context = {**self.admin_site.each_context(request), "opts": self.opts, **context}
        return TemplateResponse(request, T + template, context, status=status)

    @staticmethod
    def _back(rights_request, anchor=""):
        url = reverse("staff:referrals_rightsrequest_change", args=[rights_request.pk])
        return redirect(url + anchor)

    # --- the request ----------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return self._request_page(request, self._request(request, object_id))

    def _request_page(self, request, rights_request, *, bound=None, status=200):
        """The request, with any forms sent (and refused) or search results shown again."""
        bound = bound or {}
        details = selectors.details_of(rights_request)
        context = {
            "title": f"Request {rights_request.reference}",
            "rr": rights_request,
            "details": details,
            "born": datetime.date.fromisoformat(details["date_of_birth"])
            if details.get("date_of_birth")
            else None,
            "matches": selectors.matches(rights_request),
            "disclosures": selectors.disclosures(rights_request),
            "is_open": rights_request.state == RightsRequest.State.OPEN,
            "extend_to": deadlines.extended_to(rights_request.received_on),
            "overdue": rights_request.state == RightsRequest.State.OPEN
            and rights_request.deadline < timezone.localdate(),
            "search_form": bound.get("search") or forms.SearchForm.from_request(details),
            "extend_form": bound.get("extend") or forms.ReasonForm(prefix="extend"),
            "close_form": bound.get("close") or forms.CloseForm(prefix="close"),
            "release_error": bound.get("release", ""),
            "candidates": bound.get("candidates"),
            "error_links": _errors(*(bound.get(k) for k in ("search", "extend", "close")))
            + ([("release", bound["release"])] if bound.get("release") else []),
        }
        return self._render(request, "request.html", context, status=status)

    @method_decorator_sensitive
    def new_view(self, request):
        self._allowed(request)
        form = forms.RequestForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            created = services.record_request(
                by=request.user,
                kind=form.cleaned_data["kind"],
                received_on=form.cleaned_data["received_on"],
                details=form.details(),
                token=form.cleaned_data["token"],
                request=request,
            )
            messages.success(
                request,
                f"Request {created.reference} recorded. It is due by {created.due_on:%-d %B %Y}.",
            )
            return self._back(created)
        return self._render(
            request,
            "new.html",
            {"title": "Record a rights request", "form": form, "error_links": _errors(form)},
            status=400 if form.is_bound else 200,
        )

    @method_decorator_sensitive
    def search_view(self, request, pk):
        rights_request = self._request(request, pk)
        if request.method != "POST":
            return self._back(rights_request, "#search")
        form = forms.SearchForm(request.POST)
        if form.is_valid():
            try:
                found = services.search(
                    rights_request=rights_request,
                    by=request.user,
                    terms=form.cleaned_data,
                    request=request,
                )
            except services.RightsError as refused:
                form.add_error(None, str(refused))
            else:
                return self._request_page(
                    request, rights_request, bound={"search": form, "candidates": found}
                )
        if form.non_field_errors():
            # A problem with the search as a whole belongs to its first box.
            form.add_error("forenames", form.non_field_errors()[0])
            form.errors.pop("__all__", None)
        return self._request_page(request, rights_request, bound={"search": form}, status=400)

    def confirm_view(self, request, pk):
        rights_request = self._request(request, pk)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        ticked = [value for value in request.POST.getlist("referral") if value.isdigit()]
        referrals = list(Referral.objects.filter(pk__in=ticked).order_by("received_at"))
        if not referrals:
            messages.error(request, "Tick the referrals that are about them, then confirm.")
            return self._back(rights_request, "#search")
        try:
            for referral in referrals:
                services.confirm(
                    rights_request=rights_request,
                    by=request.user,
                    referral=referral,
                    request=request,
                )
        except services.RightsError as refused:
            messages.error(request, str(refused))
        else:
            confirmed = ", ".join(referral.reference for referral in referrals)
            messages.success(request, f"Confirmed as about them: {confirmed}.")
        return self._back(rights_request, "#referrals")

    @method_decorator_sensitive
    def extend_view(self, request, pk):
        rights_request = self._request(request, pk)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        form = forms.ReasonForm(request.POST, prefix="extend")
        if form.is_valid():
            try:
                services.extend(
                    rights_request=rights_request,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except services.RightsError as refused:
                form.add_error("reason", str(refused))
            else:
                messages.success(request, "The deadline is extended.")
                return self._back(rights_request)
        return self._request_page(request, rights_request, bound={"extend": form}, status=400)

    @method_decorator_sensitive
    def close_view(self, request, pk):
        rights_request = self._request(request, pk)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        form = forms.CloseForm(request.POST, prefix="close")
        if form.is_valid():
            try:
                services.close(
                    rights_request=rights_request,
                    by=request.user,
                    state=form.cleaned_data["state"],
                    outcome=form.cleaned_data["outcome"],
                    request=request,
                )
            except services.RightsError as refused:
                form.add_error("outcome", str(refused))
            else:
                messages.success(request, f"Request {rights_request.reference} closed.")
                return self._back(rights_request)
        return self._request_page(request, rights_request, bound={"close": form}, status=400)

    # --- the bundle -----------------------------------------------------------------------

    @staticmethod
    def _pdf(drawn: bundle.Drawn, name: str) -> HttpResponse:
        response = HttpResponse(drawn.pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def bundle_view(self, request, pk):
        rights_request = self._request(request, pk)
        drawn = services.make_draft(rights_request=rights_request, by=request.user, request=request)
        return self._pdf(drawn, f"{rights_request.reference}-draft.pdf")

    def release_view(self, request, pk):
        rights_request = self._request(request, pk)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            disclosure = services.release(
                rights_request=rights_request, by=request.user, request=request
            )
        except services.RightsError as refused:
            return self._request_page(
                request, rights_request, bound={"release": str(refused)}, status=400
            )
        messages.success(
            request,
            f"Bundle released {timezone.localtime(disclosure.released_at):%-d %B %Y %H:%M}. "
            "Download it from the list of releases to send it.",
        )
        return self._back(rights_request, "#released")

    def released_view(self, request, pk, disclosure):
        rights_request = self._request(request, pk)
        found = get_object_or_404(Disclosure, pk=disclosure, request=rights_request)
        drawn, _same = services.remake(disclosure=found, by=request.user, request=request)
        day = timezone.localtime(found.released_at)
        return self._pdf(drawn, f"{rights_request.reference}-released-{day:%Y%m%d-%H%M}.pdf")

    # --- one confirmed referral -----------------------------------------------------------

    def _match(self, request, pk, match) -> RightsMatch:
        rights_request = self._request(request, pk)
        return get_object_or_404(
            RightsMatch.objects.select_related("request", "referral"),
            pk=match,
            request=rights_request,
        )

    def match_view(self, request, pk, match):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return self._match_page(request, self._match(request, pk, match))

    def _match_page(self, request, match, *, bound=None, status=200):
        """One confirmed referral's review, with a refused form shown again."""
        bound = bound or {}
        part = services.open_for_review(match=match, by=request.user, request=request)
        sent = bound.get("item")
        rows = []
        for item in part.items:
            prefix = forms.ChoiceForm.prefix_for(item.key)
            form = (
                sent
                if sent is not None and sent.prefix == prefix
                else forms.ChoiceForm(
                    prefix=prefix,
                    initial={"key": item.key, "shown": "no" if item.shown else "yes"},
                    label="Reason for withholding it" if item.shown else "Reason for restoring it",
                )
            )
            rows.append((item, form))
        answers = _answer_choices(part.items)
        context = {
            "title": f"Referral {match.referral.reference} for request {match.request.reference}",
            "match": match,
            "rr": match.request,
            "part": part,
            "rows": rows,
            "withheld_words": services.EXEMPTIONS.get((part.withheld or {}).get("exemption"), ""),
            "is_open": match.request.state == RightsRequest.State.OPEN,
            "withhold_form": bound.get("withhold") or forms.WithholdForm(prefix="withhold"),
            "include_form": bound.get("include")
            or forms.ReasonForm(prefix="include", label="Reason for disclosing it"),
            "correct_form": bound.get("correct")
            or forms.CorrectionForm(prefix="correct", answers=answers),
            "erase_form": bound.get("erase")
            or forms.EraseForm(prefix="erase", label="Why the erasure was agreed"),
            "error_links": _errors(
                *(bound.get(k) for k in ("item", "withhold", "include", "correct", "erase"))
            ),
        }
        return self._render(request, "match.html", context, status=status)

    @method_decorator_sensitive
    def match_action(self, request, pk, match, action):
        if action == "remove" and not RightsMatch.objects.filter(pk=match, request=pk).exists():
            # Removed already (pressed twice, or in another tab): the request is as asked.
            return self._back(self._request(request, pk), "#referrals")
        found = self._match(request, pk, match)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        handlers = {
            "choose": self._choose,
            "withhold": self._withhold,
            "include": self._include,
            "correct": self._correct,
            "erase": self._erase,
            "remove": self._remove,
        }
        if action not in handlers:
            raise PermissionDenied
        return handlers[action](request, found)

    def _run(self, request, match, key, form, run, done, error_field):
        if form.is_valid():
            try:
                run(form.cleaned_data)
            except services.RightsError as refused:
                form.add_error(error_field, str(refused))
            else:
                messages.success(request, done)
                return redirect(
                    reverse(
                        "staff:referrals_rightsrequest_match", args=[match.request.pk, match.pk]
                    )
                )
        return self._match_page(request, match, bound={key: form}, status=400)

    def _choose(self, request, match):
        prefix = request.POST.get("prefix", "")
        if not forms.ChoiceForm.PREFIX.fullmatch(prefix):
            raise PermissionDenied
        form = forms.ChoiceForm(request.POST, prefix=prefix)
        shown = request.POST.get(f"{prefix}-shown") == "yes"
        form.fields["reason"].label = (
            "Reason for restoring it" if shown else "Reason for withholding it"
        )
        return self._run(
            request,
            match,
            "item",
            form,
            lambda data: services.choose(
                match=match,
                by=request.user,
                key=data["key"],
                shown=data["shown"],
                reason=data["reason"],
                request=request,
            ),
            "Restored, with your reason recorded."
            if shown
            else "Withheld, with your reason recorded.",
            "reason",
        )

    def _withhold(self, request, match):
        form = forms.WithholdForm(request.POST, prefix="withhold")
        return self._run(
            request,
            match,
            "withhold",
            form,
            lambda data: services.withhold(
                match=match,
                by=request.user,
                exemption=data["exemption"],
                reason=data["reason"],
                request=request,
            ),
            "The whole referral is withheld. The bundle will not mention it.",
            "reason",
        )

    def _include(self, request, match):
        form = forms.ReasonForm(request.POST, prefix="include", label="Reason for disclosing it")
        return self._run(
            request,
            match,
            "include",
            form,
            lambda data: services.disclose_again(
                match=match, by=request.user, reason=data["reason"], request=request
            ),
            "The referral is back in the bundle.",
            "reason",
        )

    def _correct(self, request, match):
        answers = _answer_choices(services.correctable(match))
        form = forms.CorrectionForm(request.POST, prefix="correct", answers=answers)
        return self._run(
            request,
            match,
            "correct",
            form,
            lambda data: services.rectify(
                match=match, by=request.user, key=data["key"], text=data["text"], request=request
            ),
            "Correction added beside the answer.",
            "text",
        )

    def _erase(self, request, match):
        form = forms.EraseForm(request.POST, prefix="erase", label="Why the erasure was agreed")
        return self._run(
            request,
            match,
            "erase",
            form,
            lambda data: services.erase(
                match=match, by=request.user, reason=data["reason"], request=request
            ),
            f"The details of referral {match.referral.reference} are deleted.",
            "reason",
        )

    def _remove(self, request, match):
        try:
            services.unconfirm(match=match, by=request.user, request=request)
        except services.RightsError as refused:
            messages.error(request, str(refused))
            return redirect(
                reverse("staff:referrals_rightsrequest_match", args=[match.request.pk, match.pk])
            )
        messages.success(request, f"Referral {match.referral.reference} removed from this request.")
        return self._back(match.request, "#referrals")
