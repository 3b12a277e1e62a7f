from django.urls import path

from .views import jobs, participants, projects, pseudonymise, transcripts, uploads

app_name = "transcripts"

urlpatterns = [
    path("projects/", projects.project_list, name="project_list"),
    path("projects/new/", projects.project_create, name="project_create"),
    path("projects/<int:project_id>/", projects.project_detail, name="project_detail"),
    path("projects/<int:project_id>/members/", projects.project_members, name="project_members"),
    path(
        "projects/<int:project_id>/members/<int:member_id>/remove/",
        projects.member_remove,
        name="member_remove",
    ),
    path("projects/<int:project_id>/delete/", projects.project_delete, name="project_delete"),
    path("projects/<int:project_id>/jobs/<int:job_id>/", jobs.job_status, name="job_status"),
    path(
        "projects/<int:project_id>/jobs/<int:job_id>/cancel/",
        jobs.job_cancel_view,
        name="job_cancel",
    ),
    path(
        "projects/<int:project_id>/jobs/<int:job_id>/rerun/",
        jobs.job_rerun_view,
        name="job_rerun",
    ),
    # Transcripts, bulk upload and participants.
    path(
        "projects/<int:project_id>/transcripts/",
        transcripts.transcript_list,
        name="transcript_list",
    ),
    path(
        "projects/<int:project_id>/group-attributes/",
        transcripts.group_attribute_create,
        name="group_attribute_create",
    ),
    path(
        "projects/<int:project_id>/transcripts/<int:transcript_id>/",
        transcripts.transcript_detail,
        name="transcript_detail",
    ),
    path(
        "projects/<int:project_id>/transcripts/<int:transcript_id>/details/",
        transcripts.transcript_update,
        name="transcript_update",
    ),
    path(
        "projects/<int:project_id>/transcripts/<int:transcript_id>/original/",
        transcripts.transcript_download,
        name="transcript_download",
    ),
    path(
        "projects/<int:project_id>/transcripts/upload/",
        uploads.transcript_upload,
        name="transcript_upload",
    ),
    path(
        "projects/<int:project_id>/transcripts/uploads/<int:batch_id>/",
        uploads.import_batch,
        name="import_batch",
    ),
    path(
        "projects/<int:project_id>/transcripts/uploads/<int:batch_id>/review/",
        uploads.import_batch_review,
        name="import_batch_review",
    ),
    path(
        "projects/<int:project_id>/transcripts/uploads/<int:batch_id>/discard/",
        uploads.import_batch_discard,
        name="import_batch_discard",
    ),
    path(
        "projects/<int:project_id>/participants/",
        participants.participant_list,
        name="participant_list",
    ),
    path(
        "projects/<int:project_id>/participants/new/",
        participants.participant_create,
        name="participant_create",
    ),
    path(
        "projects/<int:project_id>/participants/<int:participant_id>/",
        participants.participant_edit,
        name="participant_edit",
    ),
    path(
        "projects/<int:project_id>/participants/attributes/new/",
        participants.attribute_create,
        name="attribute_create",
    ),
    path(
        "projects/<int:project_id>/participants/import/",
        participants.participant_attributes_import,
        name="participant_attributes_import",
    ),
    path("projects/<int:project_id>/pseudonymise/", pseudonymise.pseudonymise, name="pseudonymise"),
    path(
        "projects/<int:project_id>/pseudonymise/detect/",
        pseudonymise.pseudonymise_detect,
        name="pseudonymise_detect",
    ),
    path(
        "projects/<int:project_id>/pseudonymise/<int:identifier_id>/",
        pseudonymise.identifier_decide,
        name="identifier_decide",
    ),
    path(
        "projects/<int:project_id>/pseudonymise/<int:identifier_id>/reverse/",
        pseudonymise.identifier_reverse,
        name="identifier_reverse",
    ),
    path(
        "projects/<int:project_id>/pseudonymise/bulk/",
        pseudonymise.identifiers_bulk,
        name="identifiers_bulk",
    ),
    path(
        "projects/<int:project_id>/pseudonymise/add/",
        pseudonymise.identifier_add,
        name="identifier_add",
    ),
    path(
        "projects/<int:project_id>/pseudonymise/apply/",
        pseudonymise.identifiers_apply,
        name="identifiers_apply",
    ),
    path(
        "projects/<int:project_id>/pseudonymise/key.csv",
        pseudonymise.pseudonym_key,
        name="pseudonym_key",
    ),
]
