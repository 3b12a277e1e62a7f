from django.urls import path

from .views import audit, framework, jobs

urlpatterns = [
    path(
        "projects/<int:project_id>/codings/verify/",
        jobs.codings_verify_start,
        name="codings_verify",
    ),
    # the framework (code tree, CSV import/export) and the audit log
    path("projects/<int:project_id>/framework/", framework.framework, name="framework"),
    path(
        "projects/<int:project_id>/framework/codes/new/",
        framework.code_new,
        name="framework_code_new",
    ),
    path(
        "projects/<int:project_id>/framework/codes/<int:code_id>/edit/",
        framework.code_edit,
        name="framework_code_edit",
    ),
    path(
        "projects/<int:project_id>/framework/codes/<int:code_id>/move/",
        framework.code_move,
        name="framework_code_move",
    ),
    path(
        "projects/<int:project_id>/framework/codes/<int:code_id>/reorder/",
        framework.code_reorder,
        name="framework_code_reorder",
    ),
    path(
        "projects/<int:project_id>/framework/codes/<int:code_id>/merge/",
        framework.code_merge,
        name="framework_code_merge",
    ),
    path(
        "projects/<int:project_id>/framework/codes/<int:code_id>/delete/",
        framework.code_delete,
        name="framework_code_delete",
    ),
    path(
        "projects/<int:project_id>/framework/import/",
        framework.framework_import,
        name="framework_import",
    ),
    path(
        "projects/<int:project_id>/framework/export.csv",
        framework.framework_export,
        name="framework_export",
    ),
    path("projects/<int:project_id>/audit/", audit.audit_log, name="audit_log"),
]
