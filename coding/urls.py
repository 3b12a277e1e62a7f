from django.urls import path

from .views import jobs

urlpatterns = [
    path(
        "projects/<int:project_id>/codings/verify/",
        jobs.codings_verify_start,
        name="codings_verify",
    ),
]
