"""The queue's filters, each on a clear column."""

from django.contrib import admin
from django.utils import timezone

from referrals import (
    roles,
    workflow,
)
from referrals.choices import CONCERN_TYPE_SHORT, ConcernType


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
