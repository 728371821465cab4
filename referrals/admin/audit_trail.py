"""The audit log for supervisors and account administrators, as sentences."""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.utils import timezone

from referrals import (
    audit,
    audit_log,
    roles,
    sealing,
)
from referrals.models import AuditAction, AuditEvent
from staff.sites import staff_site

from .base import RoleReadOnlyAdmin


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
