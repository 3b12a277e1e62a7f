from django.urls import path  # noqa: F401

urlpatterns: list = []

# --- Exports and the framework matrix (themes/exports/) ---
from themes.exports import views as export_views  # noqa: E402

urlpatterns += [
    path("projects/<int:project_id>/exports/", export_views.exports_page, name="exports"),
    path(
        "projects/<int:project_id>/exports/quotes.csv",
        export_views.export_quotes_csv,
        name="export_quotes_csv",
    ),
    path(
        "projects/<int:project_id>/exports/file/<slug:export>/",
        export_views.export_file,
        name="export_file",
    ),
    path(
        "projects/<int:project_id>/exports/jobs/",
        export_views.export_job_start,
        name="export_job_start",
    ),
    path(
        "projects/<int:project_id>/exports/jobs/<int:job_id>/",
        export_views.export_job,
        name="export_job",
    ),
    path(
        "projects/<int:project_id>/exports/jobs/<int:job_id>/download/",
        export_views.export_download,
        name="export_download",
    ),
    path(
        "projects/<int:project_id>/matrix/", export_views.framework_matrix, name="framework_matrix"
    ),
    path(
        "projects/<int:project_id>/matrix/summary/",
        export_views.matrix_summary_save,
        name="matrix_summary_save",
    ),
    path(
        "projects/<int:project_id>/matrix/codings/<int:coding_id>/star/",
        export_views.matrix_coding_star,
        name="matrix_coding_star",
    ),
]
