"""The staff site: the triage queue, the case view and its actions, and the audit log.

HTTP only: parse, check the form, call one casework service, render or redirect. Referral pages
answer to Prevent roles alone (referrals/roles.py), never to is_superuser.
"""

import csv

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters
from django_tasks_db.models import DBTaskResult

from staff.sites import staff_site

from . import (
    audit,
    audit_log,
    case_summary,
    casework,
    identity_index,
    journey,
    mailbox,
    retention,
    roles,
    sealing,
    selectors,
    statistics,
    workflow,
)
from .choices import CONCERN_TYPE_SHORT, ConcernType, Priority, ReporterType
from .models import AuditAction, AuditEvent, Referral, ReplyMailbox
from .services import REPORTER_STEPS
from .working_time import describe_age


class RoleReadOnlyAdmin(admin.ModelAdmin):
    """Seen by those whose role holds `view_permission` (never by is_superuser alone);
    changed by nobody through the admin."""

    view_permission = ""

    def has_view_permission(self, request, obj=None):
        return roles.can(request.user, self.view_permission)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OverdueFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            ("waiting", "Awaiting triage"),
            ("overdue", "Overdue"),
            ("due", "Due, not yet overdue"),
        ]

    def queryset(self, request, queryset):
        waiting = queryset.filter(status__in=workflow.AWAITING_TRIAGE)
        if self.value() == "waiting":
            return waiting
        if self.value() == "overdue":
            return waiting.filter(due_at__lt=timezone.now())
        if self.value() == "due":
            return waiting.filter(due_at__gte=timezone.now())
        return queryset


class CaseStateFilter(admin.SimpleListFilter):
    """Open cases unless asked otherwise; a search by reference looks everywhere."""

    title = "open or closed"
    parameter_name = "cases"
    CHOICES = (("", "Open"), ("closed", "Closed"), ("all", "All"))

    def lookups(self, request, model_admin):
        return self.CHOICES[1:]

    def choices(self, changelist):
        for value, label in self.CHOICES:
            yield {
                "selected": (self.value() or "") == value,
                "query_string": changelist.get_query_string({self.parameter_name: value})
                if value
                else changelist.get_query_string(remove=[self.parameter_name]),
                "display": label,
            }

    def queryset(self, request, queryset):
        if self.value() == "all" or request.GET.get("q"):
            return queryset
        if self.value() == "closed":
            return queryset.filter(status__in=sorted(workflow.CLOSING))
        return queryset.exclude(status__in=sorted(workflow.CLOSING))


class ConcernKindFilter(admin.SimpleListFilter):
    """The kinds of concern the reporter ticked (their view, from a clear column)."""

    title = "kind of concern"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(str(kind), label) for kind, label in CONCERN_TYPE_SHORT.items()]

    def queryset(self, request, queryset):
        if self.value() in ConcernType.values:
            return queryset.filter(concern_types__contains=f",{self.value()},")
        return queryset


class RepliedFilter(admin.SimpleListFilter):
    title = "reporter replied"
    parameter_name = "replied"

    def lookups(self, request, model_admin):
        return [("yes", "Reporter replied, not yet answered")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(reporter_replied_at__isnull=False)
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    """Prevent officers by name, without scanning the referrals to find them."""

    title = "assigned to"
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        return [(str(u.pk), u.get_full_name() or u.get_username()) for u in roles.prevent_staff()]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(assigned_to_id=int(self.value()))
        return queryset


class AssignedToMeFilter(admin.SimpleListFilter):
    title = "assigned to me"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("yes", "Assigned to me"), ("nobody", "Not assigned")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "nobody":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


class QueuePage(ChangeList):
    """Opens the subject's name for the rows on this page only, in one batch."""

    def get_results(self, request):
        super().get_results(request)
        names = casework.subject_names(referrals=self.result_list, by=request.user)
        earlier = identity_index.earlier_flags(self.result_list)
        for referral in self.result_list:
            referral.subject_name = names[referral.pk]
            referral.possible_earlier = earlier[referral.pk]


class TransitionForm(forms.Form):
    # Nothing preselected: a decision is chosen, never defaulted into.
    to = forms.ChoiceField(
        label="Move to",
        choices=[("", "Choose the new status"), *workflow.Status.choices],
        error_messages={"required": "Choose the new status"},
    )
    note = forms.CharField(
        label="Note (needed for a decision)",
        required=False,
        max_length=casework.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(
        label="Change priority to",
        choices=[("", "Choose the priority"), *Priority.choices],
        error_messages={"required": "Choose the priority"},
    )
    # Not "reason": the reveal and retain forms on the same page have that.
    priority_reason = forms.CharField(
        label="Why? (kept as a case note)",
        max_length=casework.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the priority is changing"},
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Add a case note",
        max_length=casework.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the note"},
    )


class MessageForm(forms.Form):
    # Not "text": the note form on the same page has that, and ids must be unique.
    message = forms.CharField(
        label="Send a message to the person who made this referral",
        help_text=(
            "They can read it only with the reply code they were given, and may never look. "
            "Do not say anything about the outcome of the referral."
        ),
        max_length=mailbox.MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the message"},
    )


class RevealForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to see who made this referral?",
        help_text=f"At least {casework.REVEAL_REASON_MIN} characters. Your reason is recorded "
        "in the audit log.",
        max_length=casework.REVEAL_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter your reason"},
    )


class RetainForm(forms.Form):
    reason = forms.CharField(
        label="Why must this referral be kept past its retention date?",
        help_text=f"At least {retention.RETAIN_REASON_MIN} characters. Recorded in the audit log",
        max_length=1_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter your reason"},
    )
    review_on = forms.DateField(
        label="Review by (YYYY-MM-DD)",
        error_messages={
            "required": "Enter the date to review this decision",
            "invalid": "Enter the date as year-month-day, for example 2027-06-30",
        },
    )


class AssignForm(forms.Form):
    to = forms.ModelChoiceField(label="Assign to", queryset=get_user_model().objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = roles.prevent_staff()


@admin.register(Referral, site=staff_site)
class ReferralAdmin(RoleReadOnlyAdmin):
    # Seven columns that fit 1024 px beside the filters: the reference on one line, who and
    # what in words from the clear columns, then what the morning's sorting needs.
    list_display = ["reference", "summary", "priority_label", "state", "due", "assignee"]
    list_display_links = ["reference"]
    list_filter = [
        CaseStateFilter,
        "status",
        "priority",
        ConcernKindFilter,
        "district",
        "under_18",
        OverdueFilter,
        RepliedFilter,
        AssignedToMeFilter,
        AssigneeFilter,
        ("received_at", admin.DateFieldListFilter),
    ]
    search_fields = ["reference"]
    search_help_text = "Search by reference, for example K7QH-3MXA-T9RC"
    list_select_related = ["assigned_to"]
    list_per_page = 50
    show_full_result_count = False
    actions = None

    # Only the Prevent roles see referrals; nobody edits them through a form.
    view_permission = "referrals.open_referral"

    def get_changelist(self, request, **kwargs):
        return QueuePage

    def get_queryset(self, request):
        return selectors.queue().order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        return list(selectors.QUEUE_ORDER)

    def get_search_results(self, request, queryset, search_term):
        # Exact references only: forgiving about case, spaces and missing hyphens.
        compact = "".join(search_term.split()).replace("-", "").upper()
        if not compact:
            return queryset, False
        if len(compact) != 12:
            return queryset.none(), False
        reference = f"{compact[:4]}-{compact[4:8]}-{compact[8:]}"
        return queryset.filter(reference=reference), False

    @admin.display(description="Person and concern")
    def summary(self, referral):
        person = [getattr(referral, "subject_name", ""), referral.get_age_band_display()]
        if referral.under_18:
            person[1] = f"{person[1]} (under 18)"
        person.append(referral.get_district_display())
        concern = [CONCERN_TYPE_SHORT[ConcernType(kind)] for kind in referral.concern_kinds()]
        reporter = (
            f"professional: {referral.get_sector_display().split(' (')[0].lower()}"
            if referral.reporter_type == ReporterType.PROFESSIONAL
            else "member of the public"
        )
        earlier = (
            format_html(
                '<br><strong class="queue-earlier">{}</strong>', "Possible earlier referral"
            )
            if getattr(referral, "possible_earlier", False)
            else ""
        )
        return format_html(
            '<span class="queue-person">{}</span><br><span class="queue-concern">{} · from a {}'
            "</span>{}",
            " · ".join(p for p in person if p),
            ", ".join(concern) or "Kind not given",
            reporter,
            earlier,
        )

    @admin.display(description="Priority", ordering="priority_rank")
    def priority_label(self, referral):
        return referral.get_priority_display()

    @admin.display(description="Assigned to", ordering="assigned_to__first_name")
    def assignee(self, referral):
        user = referral.assigned_to
        if user is None:
            return "Nobody"
        return user.get_full_name() or user.get_username()

    @admin.display(description="Status", ordering="status")
    def state(self, referral):
        if referral.reporter_replied_at is not None:
            return format_html(
                '{}<br><strong class="reporter-replied">Reporter replied</strong>',
                referral.get_status_display(),
            )
        return referral.get_status_display()

    @admin.display(description="Received and due", ordering="received_at")
    def due(self, referral):
        waiting = describe_age(referral.received_at, timezone.now())
        if referral.due_at is None or referral.status not in workflow.AWAITING_TRIAGE:
            return waiting
        if referral.due_at < timezone.now():
            return format_html('{}<br><strong class="queue-overdue">Overdue</strong>', waiting)
        due = timezone.localtime(referral.due_at).strftime("%-d %b %H:%M")
        return format_html("{}<br>due {}", waiting, due)

    # The case view and its actions replace the change form.
    def get_urls(self):
        wrap = self.admin_site.admin_view
        case = [
            path("<int:pk>/reveal/", wrap(self.reveal_view), name="referrals_referral_reveal"),
            path("<int:pk>/status/", wrap(self.status_view), name="referrals_referral_status"),
            path("<int:pk>/assign/", wrap(self.assign_view), name="referrals_referral_assign"),
            path(
                "<int:pk>/unassign/", wrap(self.unassign_view), name="referrals_referral_unassign"
            ),
            path(
                "<int:pk>/priority/", wrap(self.priority_view), name="referrals_referral_priority"
            ),
            path("next/", wrap(self.next_view), name="referrals_referral_next"),
            path("<int:pk>/print/", wrap(self.print_view), name="referrals_referral_print"),
            path("<int:pk>/notes/", wrap(self.note_view), name="referrals_referral_note"),
            path("<int:pk>/message/", wrap(self.message_view), name="referrals_referral_message"),
            path("<int:pk>/retain/", wrap(self.retain_view), name="referrals_referral_retain"),
            path("statistics/", wrap(self.statistics_view), name="referrals_statistics"),
        ]
        return case + super().get_urls()

    change_list_template = "admin/referrals/referral/queue.html"

    def changelist_view(self, request, extra_context=None):
        can_see = roles.can(request.user, "referrals.view_statistics")
        context = {"statistics": can_see, "title": "Referral queue", **(extra_context or {})}
        return super().changelist_view(request, context)

    def statistics_view(self, request):
        if not roles.can(request.user, "referrals.view_statistics"):
            raise PermissionDenied
        tables = statistics.tables()
        if request.GET.get("format") == "csv":
            return _statistics_csv(tables)
        context = {
            **self.admin_site.each_context(request),
            "title": "Referral statistics",
            "tables": tables,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/referrals/referral/statistics.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return self._case(request, self._referral(request, object_id))

    def _purged(self, request, referral, *, refused=False):
        if refused:
            messages.error(request, f"{casework.PURGED}. Nothing was saved.")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Referral {referral.reference}",
            "referral": referral,
        }
        return TemplateResponse(
            request,
            "admin/referrals/referral/purged.html",
            context,
            status=409 if refused else 200,
        )

    def _cannot_open(self, request, referral, error):
        context = {
            **self.admin_site.each_context(request),
            "title": f"Referral {referral.reference}",
            "referral": referral,
            "missing_key": isinstance(
                error,
                (sealing.NoPrivateKeyError, sealing.UnknownKeyError, sealing.KeyringError),
            ),
        }
        return TemplateResponse(
            request, "admin/referrals/referral/cannot_open.html", context, status=503
        )

    def _referral(self, request, pk) -> Referral:
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            return Referral.objects.select_related("assigned_to").get(pk=int(pk))
        except (Referral.DoesNotExist, ValueError, TypeError) as missing:
            raise Http404 from missing

    def _case(self, request, referral, *, reporter=None, forms_with_errors=None, status=200):
        user = request.user
        if referral.purged_at is not None:
            return self._purged(request, referral, refused=bool(forms_with_errors))
        try:
            content = casework.open_referral(referral=referral, by=user, request=request)
            notes = casework.read_notes(referral=referral, by=user)
            thread = casework.read_thread(referral=referral, by=user)
        except sealing.SealingError as error:
            return self._cannot_open(request, referral, error)
        content_slugs = tuple(s.slug for s in journey.STEPS if s.slug not in REPORTER_STEPS)
        sections = case_summary.sections(content, content_slugs)
        reporter_sections = None
        if reporter is not None:
            reporter_sections = case_summary.sections({**content, **reporter}, REPORTER_STEPS)
        transitions = [
            (status_.value, status_.label) for status_ in workflow.allowed_from(referral.status)
        ]
        forms_ = {
            "transition_form": TransitionForm(),
            "note_form": NoteForm(),
            "message_form": MessageForm(),
            "reveal_form": RevealForm(),
            "retain_form": RetainForm(),
            "assign_form": AssignForm(),
            "priority_form": PriorityForm(),
            **(forms_with_errors or {}),
        }
        context = {
            **self.admin_site.each_context(request),
            "title": f"Referral {referral.reference}",
            "opts": self.opts,
            "referral": referral,
            "sections": sections,
            "notes": notes,
            "thread": thread,
            "has_mailbox": ReplyMailbox.objects.filter(referral=referral).exists(),
            "matches": identity_index.matches_for_case(referral, content),
            "summary": case_summary.summarise(referral, content),
            "history": _history(referral),
            "transitions": transitions,
            "outcomes": [s.value for s in workflow.OUTCOMES],
            "reporter_sections": reporter_sections,
            "age": describe_age(referral.received_at, timezone.now()),
            "can": {
                "change_status": roles.can(user, "referrals.change_status") and transitions,
                "add_note": roles.can(user, "referrals.add_case_note"),
                "reveal": roles.can(user, "referrals.reveal_reporter")
                and referral.reporter_envelope is not None,
                "assign_self": roles.can(user, "referrals.assign_to_self")
                and referral.assigned_to_id != user.pk,
                "assign_others": roles.can(user, "referrals.assign_to_others"),
                "unassign": referral.assigned_to_id is not None
                and (
                    roles.can(user, "referrals.assign_to_others")
                    or (
                        referral.assigned_to_id == user.pk
                        and roles.can(user, "referrals.assign_to_self")
                    )
                ),
                "change_priority": roles.can(user, "referrals.change_status")
                and referral.status not in workflow.CLOSING,
                "retain": roles.can(user, "referrals.retain_referral")
                and referral.status in workflow.CLOSING,
            },
            "expires_at": retention.expires_at(referral),
            **forms_,
        }
        return TemplateResponse(
            request, "admin/referrals/referral/case.html", context, status=status
        )

    def _post(self, request, pk, permission):
        if request.method != "POST":
            raise Http404
        referral = self._referral(request, pk)
        if not roles.can(request.user, permission):
            raise PermissionDenied
        return referral

    def _back(self, referral):
        return redirect(reverse("staff:referrals_referral_change", args=[referral.pk]))

    @staticmethod
    def _refused(form, field, error):
        form.add_error(field, str(error))

    @method_decorator(sensitive_post_parameters("reason"))
    def reveal_view(self, request, pk):
        referral = self._post(request, pk, "referrals.reveal_reporter")
        form = RevealForm(request.POST)
        if form.is_valid():
            try:
                reporter = casework.reveal_reporter(
                    referral=referral,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except casework.CaseworkError as refused:
                self._refused(form, "reason", refused)
            else:
                # Shown in this one response: never stored, never in a redirect.
                response = self._case(request, referral, reporter=reporter)
                response["Cache-Control"] = "no-store"
                return response
        return self._case(request, referral, forms_with_errors={"reveal_form": form}, status=400)

    @method_decorator(sensitive_post_parameters("note"))
    def status_view(self, request, pk):
        referral = self._post(request, pk, "referrals.change_status")
        form = TransitionForm(request.POST)
        if form.is_valid():
            try:
                referral = casework.change_status(
                    referral=referral,
                    to=form.cleaned_data["to"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                    request=request,
                )
            except casework.CaseworkError as refused:
                self._refused(form, "to", refused)
            else:
                messages.success(request, f"Status changed to {referral.get_status_display()}.")
                return self._back(referral)
        return self._case(
            request, referral, forms_with_errors={"transition_form": form}, status=400
        )

    @method_decorator(sensitive_post_parameters("priority_reason"))
    def priority_view(self, request, pk):
        referral = self._post(request, pk, "referrals.change_status")
        form = PriorityForm(request.POST)
        if form.is_valid():
            try:
                referral = casework.change_priority(
                    referral=referral,
                    to=form.cleaned_data["priority"],
                    reason=form.cleaned_data["priority_reason"],
                    by=request.user,
                    request=request,
                )
            except casework.CaseworkError as refused:
                self._refused(form, "priority_reason", refused)
            else:
                messages.success(request, f"Priority changed to {referral.get_priority_display()}.")
                return self._back(referral)
        return self._case(request, referral, forms_with_errors={"priority_form": form}, status=400)

    def unassign_view(self, request, pk):
        referral = self._post(request, pk, "referrals.assign_to_self")
        if referral.purged_at is not None:
            return self._purged(request, referral, refused=True)
        if referral.assigned_to_id is None:
            return self._back(referral)
        try:
            casework.unassign(referral=referral, by=request.user, request=request)
        except casework.CaseworkError as refused:
            messages.error(request, str(refused))
            return self._back(referral)
        messages.success(request, "The referral is back in the queue, assigned to nobody.")
        return self._back(referral)

    def print_view(self, request, pk):
        """A case summary to print for a Channel panel or MASH meeting: marked, the reporter
        redacted, audited as an export."""
        referral = self._referral(request, pk)
        if referral.purged_at is not None:
            raise Http404
        try:
            content = casework.print_summary(referral=referral, by=request.user, request=request)
            notes = casework.read_notes(referral=referral, by=request.user)
        except sealing.SealingError as error:
            return self._cannot_open(request, referral, error)
        content_slugs = tuple(s.slug for s in journey.STEPS if s.slug not in REPORTER_STEPS)
        context = {
            "referral": referral,
            "summary": case_summary.summarise(referral, content),
            "sections": case_summary.sections(content, content_slugs),
            "notes": notes,
            "printed_by": request.user.get_full_name() or request.user.get_username(),
            "printed_at": timezone.localtime(),
        }
        response = TemplateResponse(request, "admin/referrals/referral/print.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def next_view(self, request):
        """The next unassigned case in queue order, after the one just looked at."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        after = request.GET.get("after", "")
        found = selectors.next_unassigned(besides=int(after) if after.isdigit() else None)
        if found is None:
            messages.info(request, "No unassigned referral is waiting for triage.")
            return redirect(reverse("staff:referrals_referral_changelist"))
        return redirect(reverse("staff:referrals_referral_change", args=[found.pk]))

    @method_decorator(sensitive_post_parameters("reason"))
    def retain_view(self, request, pk):
        referral = self._post(request, pk, "referrals.retain_referral")
        form = RetainForm(request.POST)
        if form.is_valid():
            try:
                retention.retain(
                    referral=referral,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    review_on=form.cleaned_data["review_on"],
                    request=request,
                )
            except retention.RetentionError as refused:
                self._refused(form, "review_on", refused)
            else:
                messages.success(request, "The referral will be kept until the review date.")
                return self._back(referral)
        return self._case(request, referral, forms_with_errors={"retain_form": form}, status=400)

    def assign_view(self, request, pk):
        referral = self._post(request, pk, "referrals.assign_to_self")
        form = AssignForm(request.POST)
        if form.is_valid():
            try:
                casework.assign(
                    referral=referral, to=form.cleaned_data["to"], by=request.user, request=request
                )
            except casework.CaseworkError as refused:
                self._refused(form, "to", refused)
            else:
                to = form.cleaned_data["to"]
                messages.success(request, f"Assigned to {to.get_full_name() or to}.")
                return self._back(referral)
        return self._case(request, referral, forms_with_errors={"assign_form": form}, status=400)

    @method_decorator(sensitive_post_parameters("text"))
    def note_view(self, request, pk):
        referral = self._post(request, pk, "referrals.add_case_note")
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                casework.add_note(
                    referral=referral,
                    by=request.user,
                    text=form.cleaned_data["text"],
                    request=request,
                )
            except casework.CaseworkError as refused:
                self._refused(form, "text", refused)
            else:
                messages.success(request, "Note added.")
                return self._back(referral)
        return self._case(request, referral, forms_with_errors={"note_form": form}, status=400)

    @method_decorator(sensitive_post_parameters("message"))
    def message_view(self, request, pk):
        referral = self._post(request, pk, "referrals.add_case_note")
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                casework.send_message(
                    referral=referral,
                    by=request.user,
                    text=form.cleaned_data["message"],
                    request=request,
                )
            except casework.CaseworkError as refused:
                self._refused(form, "message", refused)
            else:
                messages.success(request, "Message sent. They will see it if they check.")
                return self._back(referral)
        return self._case(request, referral, forms_with_errors={"message_form": form}, status=400)


def _history(referral: Referral) -> list[tuple[str, str]]:
    """Everything that happened to the case, from the audit trail, as sentences."""
    events = list(AuditEvent.objects.filter(reference=referral.reference).order_by("at", "id"))
    names = audit_log.names_for(events)
    return [
        (timezone.localtime(e.at).strftime("%-d %b %Y %H:%M"), audit_log.sentence(e, names))
        for e in events
    ]


class AuditPage(ChangeList):
    """Names for the page's sign-in names in one query; for a supervisor, the reasons given
    for reveals on this page, opened from their envelopes, and that reading itself recorded."""

    def get_results(self, request):
        super().get_results(request)
        names = audit_log.names_for(self.result_list)
        show_reasons = roles.can(request.user, "referrals.reveal_reporter")
        opened = 0
        for event in self.result_list:
            event.sentence = audit_log.sentence(event, names)
            event.reason = ""
            if show_reasons and event.action == AuditAction.REVEAL:
                try:
                    event.reason = audit.open_sealed_detail(event) or "(none given)"
                except sealing.SealingError:
                    event.reason = "(cannot be opened on this server)"
                opened += 1
        if opened:
            audit.record(
                action=AuditAction.READ_REASONS,
                actor=request.user,
                detail=f"{opened} reveal reason{'s' if opened != 1 else ''}",
                request=request,
            )


@admin.register(AuditEvent, site=staff_site)
class AuditEventAdmin(RoleReadOnlyAdmin):
    list_display = ["when", "what", "reason", "client"]
    list_filter = ["action", ("at", admin.DateFieldListFilter)]
    search_fields = ["reference", "actor_label"]
    search_help_text = "Search by reference or sign-in name"
    fields = ["at", "actor_label", "action", "reference", "detail", "client_hash", "hash"]
    readonly_fields = fields
    list_display_links = None
    list_per_page = 100
    show_full_result_count = False
    actions = None

    view_permission = "referrals.view_auditevent"

    def get_changelist(self, request, **kwargs):
        return AuditPage

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Audit log", **(extra_context or {})})

    def get_list_display(self, request):
        if roles.can(request.user, "referrals.reveal_reporter"):
            return self.list_display
        return [column for column in self.list_display if column != "reason"]

    @admin.display(description="When", ordering="at")
    def when(self, event):
        return timezone.localtime(event.at).strftime("%-d %b %Y %H:%M:%S")

    @admin.display(description="What happened")
    def what(self, event):
        return getattr(event, "sentence", "")

    @admin.display(description="Reason given")
    def reason(self, event):
        return getattr(event, "reason", "")

    @admin.display(description="Client (keyed hash)")
    def client(self, event):
        return event.client_hash[:12]


@admin.register(DBTaskResult, site=staff_site)
class TaskAdmin(RoleReadOnlyAdmin):
    """Background work (notification emails) for supervisors to see: waiting, retried, failed.
    Tasks carry a reference and a priority only."""

    list_display = ["enqueued_at", "task", "reference", "attempt", "status", "run_after", "error"]
    list_filter = ["status", "task_path"]
    fields = list_display
    readonly_fields = list_display
    ordering = ["-enqueued_at"]
    actions = None
    show_full_result_count = False

    view_permission = "referrals.view_auditevent"

    def changelist_view(self, request, extra_context=None):
        context = {"title": "Background tasks (notification emails)", **(extra_context or {})}
        return super().changelist_view(request, context)

    @admin.display(description="Task")
    def task(self, result):
        return result.task_path.rsplit(".", 1)[-1].replace("_", " ")

    @admin.display(description="Reference")
    def reference(self, result):
        return result.args_kwargs.get("kwargs", {}).get("reference", "")

    @admin.display(description="Attempt")
    def attempt(self, result):
        return result.args_kwargs.get("kwargs", {}).get("attempt", "")

    @admin.display(description="Error")
    def error(self, result):
        return result.exception_class_path.rsplit(".", 1)[-1]


def _statistics_csv(tables) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="referral-statistics.csv"'
    writer = csv.writer(response)
    writer.writerow(["table", "category", "referrals"])
    for table in tables:
        for row in table.rows:
            writer.writerow([table.title, row.label, row.shown])
    return response
