from django.urls import path

from . import views

urlpatterns = [
    path(
        "projects/<int:project_id>/codings/verify/",
        views.codings_verify_start,
        name="codings_verify",
    ),
]
