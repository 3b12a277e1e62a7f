"""Read-only in the admin: codes, codings and the audit log change only through the app's
services, which write the audit log."""

from django.contrib import admin

from transcripts.admin import ReadOnlyAdmin

from .models import AuditEvent, Code, Coding


@admin.register(Code)
class CodeAdmin(ReadOnlyAdmin):
    list_display = ("name", "key", "project", "parent")
    search_fields = ("name", "key")


@admin.register(Coding)
class CodingAdmin(ReadOnlyAdmin):
    list_display = ("id", "code", "coder", "transcript", "start", "end", "origin")
    list_filter = ("origin",)
    exclude = ("text", "memo")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "project", "user", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # append-only
