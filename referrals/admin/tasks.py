"""Background work (notification emails) for supervisors to see."""

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

from staff.sites import staff_site

from .base import RoleReadOnlyAdmin


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
