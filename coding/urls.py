from django.urls import path

from .views import jobs

urlpatterns = [
    path(
        "projects/<int:project_id>/codings/verify/",
        jobs.codings_verify_start,
        name="codings_verify",
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
]
