"""The triage queue: clear columns, filters and the page's names opened in one batch."""

import csv

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html

from referrals import (
    casework,
    identity_index,
    roles,
    selectors,
    statistics,
    workflow,
)
from referrals.choices import CONCERN_TYPE_SHORT, ConcernType, ReporterType
from referrals.models import Referral
from referrals.working_time import describe_age
from staff.sites import staff_site

from .attachments import AttachmentViews
from .base import RoleReadOnlyAdmin
from .case import CaseViews
from .filters import (
    AssignedToMeFilter,
    AssigneeFilter,
    CaseStateFilter,
    ConcernKindFilter,
    OverdueFilter,
    RepliedFilter,
)
from .record import RecordViews


class QueuePage(ChangeList):
    """Opens the subject's name for the rows on this page only, in one batch."""

    def get_results(self, request):
        super().get_results(request)
        names = casework.subject_names(referrals=self.result_list, by=request.user)
        earlier = identity_index.earlier_flags(self.result_list)
        for referral in self.result_list:
            referral.subject_name = names[referral.pk]
            referral.possible_earlier = earlier[referral.pk]


@admin.register(Referral, site=staff_site)
class ReferralAdmin(CaseViews, AttachmentViews, RecordViews, RoleReadOnlyAdmin):
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
            *self.case_urls(wrap),
            *self.record_urls(wrap),
            *self.attachment_urls(wrap),
            path("<int:pk>/reveal/", wrap(self.reveal_view), name="referrals_referral_reveal"),
            path(
                "<int:pk>/unassign/", wrap(self.unassign_view), name="referrals_referral_unassign"
            ),
            path("next/", wrap(self.next_view), name="referrals_referral_next"),
            path("<int:pk>/print/", wrap(self.print_view), name="referrals_referral_print"),
            path("statistics/", wrap(self.statistics_view), name="referrals_statistics"),
        ]
        return case + super().get_urls()

    change_list_template = "admin/referrals/referral/queue.html"

    def changelist_view(self, request, extra_context=None):
        can_see = roles.can(request.user, "referrals.view_statistics")
        context = {
            "statistics": can_see,
            "can_record": roles.can(request.user, "referrals.record_referral"),
            "title": "Referral queue",
            **(extra_context or {}),
        }
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


def _statistics_csv(tables) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="referral-statistics.csv"'
    writer = csv.writer(response)
    writer.writerow(["table", "category", "referrals"])
    for table in tables:
        for row in table.rows:
            writer.writerow([table.title, row.label, row.shown])
    return response
