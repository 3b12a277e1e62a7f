from django.urls import path

from .views import agreement, candidates, crosscase, suggestions

P = "projects/<int:project_id>/"

app_name = "themes"

urlpatterns = [
    path(f"{P}agreement/", agreement.agreement, name="agreement"),
    path(f"{P}cooccurrence/", crosscase.cooccurrence_page, name="crosscase_cooccurrence"),
    path(f"{P}compare/", crosscase.compare_page, name="crosscase_compare"),
    path(f"{P}retrieve/", crosscase.retrieve_page, name="crosscase_retrieve"),
    path(f"{P}progress/", crosscase.progress_panel, name="project_progress"),
    path(f"{P}suggestions/", suggestions.suggestions, name="suggestions"),
    path(f"{P}suggestions/run/", suggestions.suggestion_run_start, name="suggestion_run"),
    path(
        f"{P}suggestions/bulk-accept/",
        suggestions.suggestions_bulk_accept,
        name="suggestions_bulk_accept",
    ),
    path(
        f"{P}suggestions/bulk-accept/undo/",
        suggestions.suggestions_bulk_undo,
        name="suggestions_bulk_undo",
    ),
    path(
        f"{P}suggestions/<int:suggestion_id>/accept/",
        suggestions.suggestion_accept,
        name="suggestion_accept",
    ),
    path(
        f"{P}suggestions/<int:suggestion_id>/reject/",
        suggestions.suggestion_reject,
        name="suggestion_reject",
    ),
    path(
        f"{P}transcripts/<int:transcript_id>/suggestions/",
        suggestions.transcript_suggestions,
        name="transcript_suggestions",
    ),
    path(f"{P}candidates/", candidates.candidates, name="candidates"),
    path(f"{P}candidates/run/", candidates.candidate_run_start, name="candidate_run"),
    path(
        f"{P}candidates/<int:candidate_id>/promote/",
        candidates.candidate_promote,
        name="candidate_promote",
    ),
    path(
        f"{P}candidates/<int:candidate_id>/dismiss/",
        candidates.candidate_dismiss,
        name="candidate_dismiss",
    ),
]

# --- Exports and the framework matrix (themes/exports/) ---
from .views import exports  # noqa: E402

urlpatterns += [
    path("projects/<int:project_id>/exports/", exports.exports_page, name="exports"),
    path("projects/<int:project_id>/memos/export.docx", exports.memos_docx, name="memos_docx"),
    path(
        "projects/<int:project_id>/exports/quotes.csv",
        exports.export_quotes_csv,
        name="export_quotes_csv",
    ),
    path(
        "projects/<int:project_id>/exports/file/<slug:export>/",
        exports.export_file,
        name="export_file",
    ),
    path(
        "projects/<int:project_id>/exports/jobs/",
        exports.export_job_start,
        name="export_job_start",
    ),
    path(
        "projects/<int:project_id>/exports/jobs/<int:job_id>/",
        exports.export_job,
        name="export_job",
    ),
    path(
        "projects/<int:project_id>/exports/jobs/<int:job_id>/download/",
        exports.export_download,
        name="export_download",
    ),
    path("projects/<int:project_id>/matrix/", exports.framework_matrix, name="framework_matrix"),
    path(
        "projects/<int:project_id>/matrix/summary/",
        exports.matrix_summary_save,
        name="matrix_summary_save",
    ),
    path(
        "projects/<int:project_id>/matrix/codings/<int:coding_id>/star/",
        exports.matrix_coding_star,
        name="matrix_coding_star",
    ),
]
