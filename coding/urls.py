from django.urls import path

from .views import adjudication, audit, framework, jobs, memos, retrieval, screen, search, team

app_name = "coding"

urlpatterns = [
    path("projects/<int:project_id>/memos/", memos.memos_page, name="memos"),
    path("projects/<int:project_id>/memos/new/", memos.memo_new, name="memo_new"),
    path("projects/<int:project_id>/memos/<int:memo_id>/edit/", memos.memo_edit, name="memo_edit"),
    path(
        "projects/<int:project_id>/memos/<int:memo_id>/delete/",
        memos.memo_remove,
        name="memo_remove",
    ),
    path(
        "projects/<int:project_id>/codings/verify/",
        jobs.codings_verify,
        name="codings_verify",
    ),
    # The coding screen and its htmx writes.
    path(
        "projects/<int:project_id>/transcripts/<int:transcript_id>/code/",
        screen.coding_screen,
        name="coding_screen",
    ),
    path(
        "projects/<int:project_id>/transcripts/<int:transcript_id>/code/turns/",
        screen.coding_turns,
        name="coding_turns",
    ),
    path(
        "projects/<int:project_id>/transcripts/<int:transcript_id>/code/changes/",
        screen.coding_changes,
        name="coding_changes",
    ),
    path(
        "projects/<int:project_id>/transcripts/<int:transcript_id>/code/panel/",
        screen.coding_panel,
        name="coding_panel",
    ),
    path(
        "projects/<int:project_id>/transcripts/<int:transcript_id>/code/apply/",
        screen.coding_apply,
        name="coding_apply",
    ),
    path(
        "projects/<int:project_id>/transcripts/<int:transcript_id>/code/turns/<int:turn_id>/",
        screen.coding_apply_turn,
        name="coding_apply_turn",
    ),
    path(
        "projects/<int:project_id>/transcripts/<int:transcript_id>/codings/<int:coding_id>/update/",
        screen.coding_update,
        name="coding_update",
    ),
    path(
        "projects/<int:project_id>/transcripts/<int:transcript_id>/codings/<int:coding_id>/remove/",
        screen.coding_remove,
        name="coding_remove",
    ),
    path(
        "projects/<int:project_id>/transcripts/<int:transcript_id>/codings/restore/<int:event_id>/",
        screen.coding_restore,
        name="coding_restore",
    ),
    # The team: assignments, done, blind coding.
    path("projects/<int:project_id>/team/", team.team_page, name="team_page"),
    path(
        "projects/<int:project_id>/team/assignments/",
        team.assignments_save,
        name="assignments_save",
    ),
    path("projects/<int:project_id>/team/blind/", team.blind_toggle, name="blind_toggle"),
    path(
        "projects/<int:project_id>/transcripts/<int:transcript_id>/done/",
        team.assignment_done,
        name="assignment_done",
    ),
    path(
        "projects/<int:project_id>/transcripts/<int:transcript_id>/reopen/",
        team.assignment_reopen,
        name="assignment_reopen",
    ),
    # Adjudication: the agreed set.
    path(
        "projects/<int:project_id>/transcripts/<int:transcript_id>/adjudicate/",
        adjudication.adjudication_page,
        name="adjudication_page",
    ),
    path(
        "projects/<int:project_id>/transcripts/<int:transcript_id>/adjudicate/decide/",
        adjudication.adjudication_decide,
        name="adjudication_decide",
    ),
    path(
        "projects/<int:project_id>/transcripts/<int:transcript_id>/adjudicate/agreed/",
        adjudication.adjudication_accept_agreed,
        name="adjudication_accept_agreed",
    ),
    # Retrieval and search.
    path(
        "projects/<int:project_id>/codes/<int:code_id>/quotes/",
        retrieval.code_quotes,
        name="code_quotes",
    ),
    path("projects/<int:project_id>/search/", search.search, name="search"),
    path("projects/<int:project_id>/search/code/", search.search_code_hit, name="search_code_hit"),
    path(
        "projects/<int:project_id>/search/code-all/", search.search_code_all, name="search_code_all"
    ),
]

from .views import refi  # noqa: E402

urlpatterns += [
    path("projects/import/", refi.qdpx_import, name="qdpx_import"),
    path(
        "projects/<int:project_id>/import/<int:job_id>/",
        refi.qdpx_import_status,
        name="qdpx_import_status",
    ),
    path("projects/<int:project_id>/export.qdpx", refi.qdpx_export, name="qdpx_export"),
    path("projects/<int:project_id>/framework.qdc", refi.qdc_export, name="qdc_export"),
    path("projects/<int:project_id>/framework/import-qdc/", refi.qdc_import, name="qdc_import"),
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
        "projects/<int:project_id>/framework/codes/<int:code_id>/place/",
        framework.code_place,
        name="framework_code_place",
    ),
    path(
        "projects/<int:project_id>/framework/codes/<int:code_id>/merge/",
        framework.code_merge,
        name="framework_code_merge",
    ),
    path(
        "projects/<int:project_id>/framework/merge/undo/",
        framework.code_merge_undo,
        name="framework_merge_undo",
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
