"""What every referral page on the staff site shares: seen by a Prevent role, never by
is_superuser alone; changed by nobody through Django's forms."""

from django.contrib import admin

from referrals import (
    roles,
)


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
