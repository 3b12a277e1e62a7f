"""Bulk upload from the browser: read, review, import, report."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, ParticipantFactory, TranscriptFactory
from tests.transcripts.files import VTT, docx_bytes, pdf_bytes, zip_bytes
from tests.transcripts.upload_helpers import confirm, named, speaker_prefix, upload
from transcripts.models import ImportBatch, ImportItem, Participant, Transcript, Turn

pytestmark = pytest.mark.django_db

FG1 = "Focus group 1\n\nModerator: Welcome.\n\nP1: Letters help.\n\nP2: Not for me.\n"


@pytest.fixture
def logged_in(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def test_a_zip_of_mixed_files_is_read_then_imported_only_after_confirming(
    logged_in, project, django_capture_on_commit_callbacks
):
    files = {
        "groups.zip": zip_bytes(
            {
                "FG1 2025-03-04.txt": FG1,
                "FG2.docx": docx_bytes(["Facilitator: Hello.", "P3: Hi.", "P4: Hey."]),
                "FG3.vtt": VTT,
                "scan.pdf": pdf_bytes([]),
            }
        )
    }
    batch = upload(logged_in, project, files, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.REVIEW
    assert not project.transcripts.exists()
    page = logged_in.get(
        reverse("transcripts:import_batch", args=[project.pk, batch.pk])
    ).content.decode()
    assert "groups.zip/scan.pdf: scanned PDF: no text to import" in page
    assert 'value="FG1"' in page and 'value="2025-03-04"' in page  # proposed from the name

    confirm(logged_in, batch, django_capture_on_commit_callbacks)

    assert batch.status == ImportBatch.Status.DONE
    assert sorted(project.transcripts.values_list("name", flat=True)) == ["FG1", "FG2", "FG3"]
    fg1 = project.transcripts.get(name="FG1")
    assert [(t.speaker_label, t.text) for t in fg1.turns.order_by("order")] == [
        ("Moderator", "Welcome."),
        ("P1", "Letters help."),
        ("P2", "Not for me."),
    ]
    assert fg1.turns.get(speaker_label="Moderator").is_facilitator
    assert fg1.turns.get(speaker_label="P1").participant.label == "P1"
    with fg1.original_file.open("rb") as original:
        assert original.read().decode() == FG1
    report = logged_in.get(
        reverse("transcripts:import_batch", args=[project.pk, batch.pk])
    ).content.decode()
    assert "Imported 3 transcripts, 1 failed." in report


def test_the_review_maps_renames_joins_and_flags_speakers(
    logged_in, project, django_capture_on_commit_callbacks
):
    ana = ParticipantFactory(project=project, label="Ana")
    text = "Mdoerator: Welcome.\n\nP1: I agree.\n\nCrosstalk: inaudible.\n\nP2: Me too."
    batch = upload(logged_in, project, {"FG5.txt": text}, django_capture_on_commit_callbacks)
    mod, p1, note = (speaker_prefix(batch, label) for label in ("Mdoerator", "P1", "Crosstalk"))
    confirm(
        logged_in,
        batch,
        django_capture_on_commit_callbacks,
        **{
            f"{mod}-action": "facilitator",
            f"{mod}-rename": "Moderator",
            f"{p1}-participant": "Ana",
            f"{note}-action": "merge",
        },
    )
    transcript = project.transcripts.get()
    turns = list(transcript.turns.order_by("order"))
    assert [(t.speaker_label, t.is_facilitator, t.participant) for t in turns] == [
        ("Moderator", True, None),
        ("P1", False, ana),
        ("P2", False, Participant.objects.get(project=project, label="P2")),
    ]
    assert turns[1].text == "I agree.\n\nCrosstalk: inaudible."


def test_details_typed_once_fill_every_groups_blank_fields(
    logged_in, project, django_capture_on_commit_callbacks
):
    files = {"FG1.txt": "P1: One.", "FG2.txt": "P1: Two."}
    batch = upload(logged_in, project, files, django_capture_on_commit_callbacks)
    fg2 = batch.items.get(filename="FG2.txt")
    confirm(
        logged_in,
        batch,
        django_capture_on_commit_callbacks,
        **{"all-site": "Leeds", "all-date": "2025-03-04", f"item-{fg2.pk}-site": "York"},
    )
    sites = dict(project.transcripts.values_list("name", "site"))
    assert sites == {"FG1": "Leeds", "FG2": "York"}
    assert {str(d) for d in project.transcripts.values_list("date", flat=True)} == {"2025-03-04"}


def test_generic_labels_become_a_participant_per_group(
    logged_in, project, django_capture_on_commit_callbacks
):
    files = {"FG1.txt": "Speaker 1: Hello.\n\nSpeaker 2: Hi.", "FG2.txt": "Speaker 1: Other."}
    batch = upload(logged_in, project, files, django_capture_on_commit_callbacks)
    confirm(logged_in, batch, django_capture_on_commit_callbacks)
    labels = set(project.participants.values_list("label", flat=True))
    assert labels == {"FG1 Speaker 1", "FG1 Speaker 2", "FG2 Speaker 1"}


def test_a_duplicate_of_a_transcript_in_the_project_is_skipped(
    logged_in, project, django_capture_on_commit_callbacks
):
    TranscriptFactory(project=project, name="FG1", text="P1: Same words.")
    files = {"again.txt": "P1: Same words.\n", "copy.txt": "P1: New.", "copy2.txt": "P1: New."}
    batch = upload(logged_in, project, files, django_capture_on_commit_callbacks)
    confirm(logged_in, batch, django_capture_on_commit_callbacks)
    items = {i.filename: i for i in batch.items.all()}
    assert items["again.txt"].status == ImportItem.Status.DUPLICATE
    assert "already in the project as FG1" in items["again.txt"].error
    assert items["copy2.txt"].status == ImportItem.Status.DUPLICATE
    assert "same text as copy.txt" in items["copy2.txt"].error
    assert project.transcripts.count() == 2
    assert not items["again.txt"].file  # material that was not imported is not kept
    assert items["copy.txt"].file
    report = logged_in.get(
        reverse("transcripts:import_batch", args=[project.pk, batch.pk])
    ).content.decode()
    assert "skipped 2 duplicates" in report


def test_a_file_failing_mid_import_leaves_no_half_written_transcript(
    logged_in, project, django_capture_on_commit_callbacks, monkeypatch
):
    real = Turn.objects.bulk_create

    def failing(turns, **kwargs):
        turns = list(turns)
        if turns and turns[0].transcript.name == "FG2":
            raise RuntimeError("disk full")
        return real(turns, **kwargs)

    monkeypatch.setattr(Turn.objects, "bulk_create", failing)
    files = {"FG1.txt": "P1: One.", "FG2.txt": "P1: Two.", "FG3.txt": "P1: Three."}
    batch = upload(logged_in, project, files, django_capture_on_commit_callbacks)
    confirm(logged_in, batch, django_capture_on_commit_callbacks)
    assert sorted(project.transcripts.values_list("name", flat=True)) == ["FG1", "FG3"]
    failed = batch.items.get(filename="FG2.txt")
    assert failed.status == ImportItem.Status.FAILED
    assert failed.error.startswith("FG2.txt: could not be saved") and "disk full" in failed.error
    assert not Transcript.objects.filter(name="FG2").exists()


def test_a_file_over_the_size_limit_fails_alone(
    logged_in, project, django_capture_on_commit_callbacks, settings
):
    settings.FG_MAX_UPLOAD_BYTES = 100
    files = {"big.txt": "P1: " + "words " * 50, "small.txt": "P1: Fine."}
    batch = upload(logged_in, project, files, django_capture_on_commit_callbacks)
    big = batch.items.get(filename="big.txt")
    assert big.status == ImportItem.Status.FAILED and "over the size limit" in big.error
    assert not big.file
    confirm(logged_in, batch, django_capture_on_commit_callbacks)
    assert list(project.transcripts.values_list("name", flat=True)) == ["small"]


def test_empty_and_unsupported_files_fail_alone_with_their_names(
    logged_in, project, django_capture_on_commit_callbacks
):
    files = {"empty.txt": b"", "slides.pptx": b"PK..", "FG1.txt": FG1}
    batch = upload(logged_in, project, files, django_capture_on_commit_callbacks)
    errors = dict(batch.items.values_list("filename", "error"))
    assert errors["empty.txt"] == "empty.txt: the file is empty."
    assert errors["slides.pptx"].startswith("slides.pptx: unsupported file type .pptx")
    confirm(logged_in, batch, django_capture_on_commit_callbacks)
    assert list(project.transcripts.values_list("name", flat=True)) == ["FG1"]


def test_the_review_names_the_fallback_encoding(
    logged_in, project, django_capture_on_commit_callbacks
):
    files = {"old.txt": "P1: Café – fine.".encode("cp1252")}
    batch = upload(logged_in, project, files, django_capture_on_commit_callbacks)
    page = logged_in.get(
        reverse("transcripts:import_batch", args=[project.pk, batch.pk])
    ).content.decode()
    assert "decoded as Windows-1252 (cp1252)" in page
    confirm(logged_in, batch, django_capture_on_commit_callbacks)
    transcript = project.transcripts.get()
    assert transcript.encoding == "cp1252" and transcript.turns.get().text == "Café – fine."


def test_survey_answers_import_respondents_with_their_attributes(
    logged_in, project, django_capture_on_commit_callbacks
):
    csv = (
        "id,Age band,Carer,Answer\n"
        "R1,25-34,Yes,I would like a letter that explains what happens to my data.\n"
        "R2,65-74,No,They should never sell it to insurance companies or anyone else.\n"
        "R3,25-34,No,\n"
    )
    batch = upload(logged_in, project, {"survey.csv": csv}, django_capture_on_commit_callbacks)
    item = batch.items.get()
    assert item.kind == Transcript.Kind.SURVEY
    confirm(logged_in, batch, django_capture_on_commit_callbacks)
    transcript = project.transcripts.get()
    assert [(t.speaker_label, t.text[:12]) for t in transcript.turns.order_by("order")] == [
        ("R1", "I would like"),
        ("R2", "They should "),
    ]
    r2 = project.participants.get(label="R2")
    values = {v.attribute.name: v.value for v in r2.attribute_values.select_related("attribute")}
    assert values == {"Age band": "65-74", "Carer": "No"}


def test_changing_the_survey_text_column_updates_the_preview(
    logged_in, project, django_capture_on_commit_callbacks
):
    csv = "id,Q1,Q2\nR1,A fairly long answer to the first question here.,Short\n"
    batch = upload(logged_in, project, {"s.csv": csv}, django_capture_on_commit_callbacks)
    item = batch.items.get()
    response = logged_in.post(
        reverse("transcripts:import_batch_review", args=[project.pk, batch.pk]),
        {
            "action": "preview",
            f"item-{item.pk}-include": "on",
            f"item-{item.pk}-name": "Survey",
            f"item-{item.pk}-kind": "survey",
            f"survey-{item.pk}-respondent": "id",
            f"survey-{item.pk}-text": ["Q1", "Q2"],
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.turn_count == 2 and item.survey_columns["text"] == ["Q1", "Q2"]
    assert not project.transcripts.exists()


def test_a_blank_group_name_is_reported_and_nothing_is_imported(
    logged_in, project, django_capture_on_commit_callbacks
):
    batch = upload(logged_in, project, {"FG1.txt": FG1}, django_capture_on_commit_callbacks)
    item = batch.items.get()
    response = logged_in.post(
        reverse("transcripts:import_batch_review", args=[project.pk, batch.pk]),
        {
            "action": "import",
            f"item-{item.pk}-include": "on",
            f"item-{item.pk}-name": "",
            f"item-{item.pk}-kind": "focus_group",
        },
    )
    assert response.status_code == 400
    assert "Give the group a name" in response.content.decode()
    assert not project.transcripts.exists()


def test_a_file_left_out_in_the_review_is_not_imported(
    logged_in, project, django_capture_on_commit_callbacks
):
    batch = upload(
        logged_in,
        project,
        {"a.txt": "P1: A.", "b.txt": "P1: B."},
        django_capture_on_commit_callbacks,
    )
    left_out = batch.items.get(filename="b.txt")
    confirm(
        logged_in,
        batch,
        django_capture_on_commit_callbacks,
        **{f"item-{left_out.pk}-include": None},
    )
    assert list(project.transcripts.values_list("name", flat=True)) == ["a"]
    left_out.refresh_from_db()
    assert left_out.status == ImportItem.Status.EXCLUDED


def test_the_batch_page_polls_while_the_files_are_being_read(logged_in, project):
    response = logged_in.post(
        reverse("transcripts:transcript_upload", args=[project.pk]),
        {"files": [named("a.txt", "P1: A.")]},
    )  # on_commit not run: the job is still queued, as with a busy worker
    batch = project.import_batches.get()
    page = logged_in.get(response["Location"], HTTP_HX_REQUEST="true").content.decode().strip()
    assert page.startswith('<div id="batch" data-status="reading"')
    assert f'hx-get="/projects/{project.pk}/transcripts/uploads/{batch.pk}/"' in page


def test_discarding_an_upload_deletes_it_and_its_files(
    logged_in, project, django_capture_on_commit_callbacks
):
    batch = upload(logged_in, project, {"a.txt": "P1: A."}, django_capture_on_commit_callbacks)
    stored = batch.items.get().file
    path = stored.path
    response = logged_in.post(
        reverse("transcripts:import_batch_discard", args=[project.pk, batch.pk])
    )
    assert response.status_code == 302
    assert not ImportBatch.objects.exists()
    assert not os.path.exists(path)


def test_uploading_nothing_shows_an_error(logged_in, project):
    response = logged_in.post(reverse("transcripts:transcript_upload", args=[project.pk]), {})
    assert "Choose at least one file to upload." in response.content.decode()
    assert not ImportBatch.objects.exists()


# --- permissions ----------------------------------------------------------------------------


@pytest.fixture
def batch(project, user):
    return ImportBatch.objects.create(project=project, created_by=user, status="review")


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("transcript_upload", "get"),
        ("transcript_upload", "post"),
        ("import_batch", "get"),
        ("import_batch_review", "post"),
        ("import_batch_discard", "post"),
    ],
)
def test_upload_views_are_404_for_non_members(client, outsider, project, batch, name, method):
    client.login(username=outsider.username, password=PASSWORD)
    args = [project.pk] if name == "transcript_upload" else [project.pk, batch.pk]
    response = getattr(client, method)(reverse(f"transcripts:{name}", args=args))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("transcript_upload", "get"),
        ("transcript_upload", "post"),
        ("import_batch_review", "post"),
        ("import_batch_discard", "post"),
    ],
)
def test_viewers_cannot_upload_or_import(client, viewer, project, batch, name, method):
    client.login(username=viewer.username, password=PASSWORD)
    args = [project.pk] if name == "transcript_upload" else [project.pk, batch.pk]
    response = getattr(client, method)(reverse(f"transcripts:{name}", args=args))
    assert response.status_code == 403
    assert ImportBatch.objects.filter(pk=batch.pk, status="review").exists()


def test_viewers_can_read_an_upload_report_but_see_no_form(client, viewer, project, batch):
    client.login(username=viewer.username, password=PASSWORD)
    response = client.get(reverse("transcripts:import_batch", args=[project.pk, batch.pk]))
    assert response.status_code == 200
    assert "import_batch_review" not in response.content.decode()
    assert "/review/" not in response.content.decode()


def test_a_batch_of_another_project_is_404(client, user, project, batch):
    from tests.factories import MembershipFactory, ProjectFactory

    other = ProjectFactory()
    MembershipFactory(project=other, user=user, role="owner")
    client.login(username=user.username, password=PASSWORD)
    response = client.get(reverse("transcripts:import_batch", args=[other.pk, batch.pk]))
    assert response.status_code == 404


def test_an_upload_whose_import_job_died_can_be_discarded(
    logged_in, project, django_capture_on_commit_callbacks
):
    from jobs.services import job_create

    batch = upload(logged_in, project, {"a.txt": "P1: A."}, django_capture_on_commit_callbacks)
    job = job_create(project=project, kind="transcripts.import_run")
    job.status = "failed"
    job.save()
    ImportBatch.objects.filter(pk=batch.pk).update(status="importing", import_job=job)
    page = logged_in.get(
        reverse("transcripts:import_batch", args=[project.pk, batch.pk])
    ).content.decode()
    assert "Discard this upload" in page
    logged_in.post(reverse("transcripts:import_batch_discard", args=[project.pk, batch.pk]))
    assert not ImportBatch.objects.filter(pk=batch.pk).exists()


def test_speakers_differing_only_in_case_across_files_are_one_participant(
    logged_in, project, django_capture_on_commit_callbacks
):
    files = {
        "FG1.txt": "FACILITATOR: Hello.\n\nPRIYA: Letters.\n\nPRIYA: Yes.",
        "FG2.txt": "Facilitator: Hi.\n\nPriya: Texts.",
    }
    batch = upload(logged_in, project, files, django_capture_on_commit_callbacks)
    page = logged_in.get(reverse("transcripts:import_batch", args=[project.pk, batch.pk]))
    html = page.content.decode()
    assert html.count('value="PRIYA"') + html.count('value="Priya"') >= 1
    from transcripts.services.uploads import speaker_summary

    assert [row.label for row in speaker_summary(batch=batch)] == ["FACILITATOR", "PRIYA"]
    confirm(logged_in, batch, django_capture_on_commit_callbacks, **{"all-facilitator": "Jo"})
    assert list(project.participants.values_list("label", flat=True)) == ["PRIYA"]
    assert set(
        Turn.objects.filter(participant__label="PRIYA").values_list("transcript__name", flat=True)
    ) == {"FG1", "FG2"}
    # the role word is not a name: the facilitator typed once for the batch is used everywhere
    assert set(project.transcripts.values_list("facilitator", flat=True)) == {"Jo"}
    assert set(
        Turn.objects.filter(is_facilitator=True).values_list("transcript__name", flat=True)
    ) == {"FG1", "FG2"}


def test_the_import_report_and_the_transcript_list_count_speakers_alike(
    logged_in, project, django_capture_on_commit_callbacks
):
    files = {"FG1.txt": "Moderator: Hello.\n\nP1: One.\n\nP2: Two."}
    batch = upload(logged_in, project, files, django_capture_on_commit_callbacks)
    confirm(logged_in, batch, django_capture_on_commit_callbacks)
    item = batch.items.get()
    listed = logged_in.get(reverse("transcripts:transcript_list", args=[project.pk]))
    assert item.speaker_count == 2
    assert '<td class="num">2</td>' in listed.content.decode()
    assert "without the facilitator" in listed.content.decode()


def test_an_upload_with_nothing_importable_says_so_and_keeps_no_file(
    logged_in, project, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    TranscriptFactory(project=project, name="Old", text="P1: Same.")
    files = {"same.txt": "P1: Same.", "broken.pdf": b"%PDF-1.4 nonsense", "empty.txt": ""}
    batch = upload(logged_in, project, files, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert batch.status == "rejected"
    assert not any(
        default_storage.exists(name) for name in batch.items.values_list("file", flat=True) if name
    )
    page = logged_in.get(reverse("transcripts:import_batch", args=[project.pk, batch.pk]))
    html = page.content.decode()
    assert 'id="nothing-to-import"' in html and "the files were not kept" in html
    listed = logged_in.get(reverse("transcripts:transcript_upload", args=[project.pk]))
    assert "Nothing to import" in listed.content.decode()
    assert "Ready to review" not in listed.content.decode()


def test_a_failed_file_is_not_kept_while_the_rest_is_reviewed(
    logged_in, project, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    files = {"FG1.txt": "P1: Fine.", "broken.pdf": b"%PDF-1.4 nonsense"}
    batch = upload(logged_in, project, files, django_capture_on_commit_callbacks)
    good, bad = batch.items.get(filename="FG1.txt"), batch.items.get(filename="broken.pdf")
    assert good.file and default_storage.exists(good.file.name)
    assert not bad.file


def test_the_server_stops_keeping_a_file_once_it_passes_the_limit(
    logged_in, project, django_capture_on_commit_callbacks, settings
):
    settings.FG_MAX_UPLOAD_BYTES = 1000
    files = {"huge.txt": "P1: " + "words " * 2000}
    batch = upload(logged_in, project, files, django_capture_on_commit_callbacks)
    item = batch.items.get()
    assert item.status == ImportItem.Status.FAILED and not item.file
    assert item.error == "huge.txt: over the size limit of 1000\xa0bytes per file; it was not kept."


def test_the_per_file_limit_leaves_refi_qda_uploads_to_their_own_limit(settings, rf):
    from transcripts.upload_limits import PerFileLimitUploadHandler

    settings.FG_MAX_UPLOAD_BYTES = 10
    handler = PerFileLimitUploadHandler(rf.post("/projects/import/"))
    handler.new_file("files", "big.qdpx", "application/zip", 100)
    assert handler.receive_data_chunk(b"x" * 100, 0) == b"x" * 100


NOTES = (
    "Facilitator: Welcome.\n\nP1: I think people should be given clear\n\n"
    "information about it.\n\nP2: Letters."
)


def test_the_review_previews_turns_and_offers_to_join_broken_lines(
    logged_in, project, django_capture_on_commit_callbacks
):
    batch = upload(logged_in, project, {"notes.txt": NOTES}, django_capture_on_commit_callbacks)
    item = batch.items.get()
    assert item.wrapped_breaks == 1
    html = logged_in.get(reverse("transcripts:import_batch", args=[project.pk, batch.pk]))
    html = html.content.decode()
    assert "1 line is broken in the middle of a sentence" in html
    assert "given clear information about it." in html  # the preview after joining
    confirm(
        logged_in, batch, django_capture_on_commit_callbacks, **{f"item-{item.pk}-unwrap": "on"}
    )
    transcript = project.transcripts.get()
    p1 = transcript.turns.get(speaker_label="P1")
    assert transcript.text[p1.start : p1.end] == (
        "I think people should be given clear information about it."
    )


def test_broken_lines_stay_as_typed_unless_the_analyst_joins_them(
    logged_in, project, django_capture_on_commit_callbacks
):
    batch = upload(logged_in, project, {"notes.txt": NOTES}, django_capture_on_commit_callbacks)
    confirm(logged_in, batch, django_capture_on_commit_callbacks)
    assert "given clear\n\ninformation" in project.transcripts.get().text


def test_uploads_left_in_review_expire_with_their_files(
    logged_in, project, django_capture_on_commit_callbacks
):
    import datetime

    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.utils import timezone

    batch = upload(logged_in, project, {"FG1.txt": "P1: Hi."}, django_capture_on_commit_callbacks)
    stored = batch.items.get().file.name
    assert default_storage.exists(stored)
    call_command("expire_uploads")  # a fresh upload is kept
    assert ImportBatch.objects.filter(pk=batch.pk).exists()
    ImportBatch.objects.filter(pk=batch.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=4)
    )
    call_command("expire_uploads")
    assert not ImportBatch.objects.filter(pk=batch.pk).exists()
    assert not default_storage.exists(stored)


def test_the_review_never_loads_the_parsed_text(
    logged_in, project, django_capture_on_commit_callbacks
):
    """Its cost does not grow with the upload's text: the speaker mapping and a survey's
    columns come from the small summary kept when the files were read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    files = {
        "FG1.txt": FG1,
        "answers.csv": "respondent,What do you think?\nR1,Letters please\nR2,An app\n",
    }
    batch = upload(logged_in, project, files, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as queries:
        page = logged_in.get(reverse("transcripts:import_batch", args=[project.pk, batch.pk]))
    assert page.status_code == 200
    assert 'data-label="Moderator"' in page.content.decode()  # the speaker mapping is there
    assert "What do you think?" in page.content.decode()  # and the survey's columns
    assert not [q["sql"] for q in queries.captured_queries if '"parsed"' in q["sql"]]


def test_the_report_after_an_import_does_not_read_the_files_parsed_text(
    logged_in, project, django_capture_on_commit_callbacks
):
    """Each file's parsed text can be megabytes; the report lists files and counts only."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    files = {f"FG{n}.txt": FG1.replace("Letters", f"Letters {n}") for n in range(1, 4)}
    batch = upload(logged_in, project, files, django_capture_on_commit_callbacks)
    confirm(logged_in, batch, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as queries:
        report = logged_in.get(reverse("transcripts:import_batch", args=[project.pk, batch.pk]))
    assert "Imported 3 transcripts." in report.content.decode()
    assert not [q["sql"] for q in queries if '"parsed"' in q["sql"]]
