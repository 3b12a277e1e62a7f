"""The admin, for whoever runs the server: projects and members can be managed here; what holds
participants' words is read-only (changing it here would bypass the audit log and the checks
of the app's own pages)."""

from django.contrib import admin

from .models import Attribute, ImportBatch, Membership, Participant, Project, Transcript


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "created_by", "created_at")
    search_fields = ("name",)
    inlines = [MembershipInline]


@admin.register(Transcript)
class TranscriptAdmin(ReadOnlyAdmin):
    list_display = ("name", "project", "kind", "site", "date", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "site")
    exclude = ("text",)


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    list_display = ("label", "project")
    search_fields = ("label",)


@admin.register(Attribute)
class AttributeAdmin(ReadOnlyAdmin):
    list_display = ("name", "type", "project")


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "project", "status", "created_by", "created_at")
    list_filter = ("status",)
