from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Read-only: jobs are written by their tasks."""

    list_display = ("id", "kind", "status", "percent", "project", "created_by", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("kind", "message", "error")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
