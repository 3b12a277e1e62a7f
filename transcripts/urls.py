from django.urls import path

from . import views

urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:project_id>/", views.project_detail, name="project_detail"),
    path("projects/<int:project_id>/members/", views.project_members, name="project_members"),
    path("projects/<int:project_id>/jobs/<int:job_id>/", views.job_status, name="job_status"),
    path(
        "projects/<int:project_id>/jobs/<int:job_id>/cancel/",
        views.job_cancel_view,
        name="job_cancel",
    ),
]
