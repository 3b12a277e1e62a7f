from django.urls import path

from . import views

urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:project_id>/", views.project_detail, name="project_detail"),
    path("projects/<int:project_id>/members/", views.project_members, name="project_members"),
    path("projects/<int:project_id>/delete/", views.project_delete, name="project_delete"),
    path("projects/<int:project_id>/jobs/<int:job_id>/", views.job_status, name="job_status"),
    path(
        "projects/<int:project_id>/jobs/<int:job_id>/cancel/",
        views.job_cancel_view,
        name="job_cancel",
    ),
]

# Transcripts, bulk upload and participants (issue 3).
from . import views_participants, views_transcripts, views_uploads  # noqa: E402

urlpatterns += [
    path(
        "projects/<int:project_id>/transcripts/",
        views_transcripts.transcript_list,
        name="transcript_list",
    ),
    path(
        "projects/<int:project_id>/transcripts/<int:transcript_id>/",
        views_transcripts.transcript_detail,
        name="transcript_detail",
    ),
    path(
        "projects/<int:project_id>/transcripts/<int:transcript_id>/details/",
        views_transcripts.transcript_update,
        name="transcript_update",
    ),
    path(
        "projects/<int:project_id>/transcripts/<int:transcript_id>/original/",
        views_transcripts.transcript_download,
        name="transcript_download",
    ),
    path(
        "projects/<int:project_id>/transcripts/upload/",
        views_uploads.transcript_upload,
        name="transcript_upload",
    ),
    path(
        "projects/<int:project_id>/transcripts/uploads/<int:batch_id>/",
        views_uploads.import_batch,
        name="import_batch",
    ),
    path(
        "projects/<int:project_id>/transcripts/uploads/<int:batch_id>/review/",
        views_uploads.import_batch_review,
        name="import_batch_review",
    ),
    path(
        "projects/<int:project_id>/transcripts/uploads/<int:batch_id>/discard/",
        views_uploads.import_batch_discard,
        name="import_batch_discard",
    ),
    path(
        "projects/<int:project_id>/participants/",
        views_participants.participant_list,
        name="participant_list",
    ),
    path(
        "projects/<int:project_id>/participants/new/",
        views_participants.participant_create,
        name="participant_create",
    ),
    path(
        "projects/<int:project_id>/participants/<int:participant_id>/",
        views_participants.participant_edit,
        name="participant_edit",
    ),
    path(
        "projects/<int:project_id>/participants/attributes/new/",
        views_participants.attribute_create,
        name="attribute_create",
    ),
    path(
        "projects/<int:project_id>/participants/import/",
        views_participants.participant_attributes_import,
        name="participant_attributes_import",
    ),
]
