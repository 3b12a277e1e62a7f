from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from coding.models import AuditEvent, Coding
from jobs.models import Job
from tests.factories import PASSWORD, CodingFactory
from themes.models import MatrixCellSummary

pytestmark = pytest.mark.django_db


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def read_stream(response):
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(body, newline="")))
    return body, rows


GET_VIEWS = [
    ("themes:exports", {}),
    ("themes:export_quotes_csv", {}),
    ("themes:export_file", {"export": "framework_csv"}),
    ("themes:export_file", {"export": "framework_xlsx"}),
    ("themes:export_file", {"export": "quotes_xlsx"}),
    ("themes:export_file", {"export": "report_docx"}),
    ("themes:export_file", {"export": "report_html"}),
    ("themes:framework_matrix", {}),
]


def url(name, project, **kwargs):
    return reverse(name, kwargs={"project_id": project.pk, **kwargs})


@pytest.mark.parametrize(("name", "kwargs"), GET_VIEWS)
def test_outsiders_get_404_from_every_export_view(client, study, outsider, name, kwargs):
    login(client, outsider)
    assert client.get(url(name, study.project, **kwargs)).status_code == 404


@pytest.mark.parametrize(("name", "kwargs"), GET_VIEWS)
def test_anonymous_visitors_are_sent_to_log_in(client, study, name, kwargs):
    response = client.get(url(name, study.project, **kwargs))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("name", "kwargs"), GET_VIEWS)
def test_viewers_may_read_and_export(client, study, viewer, name, kwargs):
    login(client, viewer)
    response = client.get(url(name, study.project, **kwargs))
    assert response.status_code == 200
    content = b"".join(response) if not response.streaming else b"".join(response.streaming_content)
    assert content


def test_csv_download_streams_every_quote_with_an_attachment_name(client, study):
    login(client, study.owner)
    response = client.get(url("themes:export_quotes_csv", study.project), {"bom": "on"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="study-')
    body, rows = read_stream(response)
    assert body.startswith("\ufeffTheme,Code,Quote")
    quotes = {row[2] for row in rows[1:]}
    assert "Hacking worries me 😟\nand the wrong email, too." in quotes
    assert len(rows) == 1 + Coding.objects.filter(transcript__project=study.project).count()


def test_csv_download_applies_filters_from_the_query_string(client, study):
    login(client, study.owner)
    query = {
        "code": [study.communication.pk],
        "attr": [f"{study.carer.pk}:Yes"],
        "coder": [study.second_coder.pk],
    }
    _, rows = read_stream(client.get(url("themes:export_quotes_csv", study.project), query))
    assert [row[2] for row in rows[1:]] == ["'-1 for apps, +1 for leaflets, @everyone agrees"]


def test_a_code_from_another_project_is_refused_with_a_named_error(client, study):
    other = CodingFactory()
    login(client, study.owner)
    response = client.get(url("themes:export_quotes_csv", study.project), {"code": other.code.pk})
    assert response.status_code == 400
    assert "Themes and codes" in response.content.decode()
    assert "is not one of the available choices" in response.content.decode()


def test_framework_xlsx_download_opens_in_openpyxl(client, study, tmp_path):
    login(client, study.owner)
    response = client.get(
        url("themes:export_file", study.project, export="framework_xlsx"), {"rows": "transcript"}
    )
    path = tmp_path / "m.xlsx"
    path.write_bytes(response.content)
    sheet = load_workbook(path)["Framework matrix"]
    assert [cell.value for cell in sheet["A"]] == ["Group", "FG1", "FG2"]


def test_report_docx_download_opens_in_python_docx(client, study, tmp_path):
    login(client, study.owner)
    response = client.get(
        url("themes:export_file", study.project, export="report_docx"),
        {"attribution": "group_participant"},
    )
    path = tmp_path / "r.docx"
    path.write_bytes(response.content)
    quotes = [p.text for p in Document(str(path)).paragraphs if p.style.name == "Quote"]
    assert quotes[-1].endswith("(FG1, P2)")


def test_report_html_can_be_viewed_inline(client, study):
    login(client, study.owner)
    response = client.get(
        url("themes:export_file", study.project, export="report_html"), {"view": "1"}
    )
    assert response["Content-Disposition"].startswith("inline")
    assert "Definitely letter." in response.content.decode()


def test_unknown_export_is_404(client, study):
    login(client, study.owner)
    assert (
        client.get(url("themes:export_file", study.project, export="nope_csv")).status_code == 404
    )


def test_exports_page_counts_matching_quotes_and_links_carry_the_filters(client, study):
    login(client, study.owner)
    response = client.get(url("themes:exports", study.project), {"transcript": study.fg2.pk})
    html = response.content.decode()
    assert "<strong>1</strong> coded quote matches" in html
    assert f"quotes.csv?transcript={study.fg2.pk}" in html


def test_exports_page_htmx_filter_change_swaps_only_the_actions(client, study):
    login(client, study.owner)
    response = client.get(
        url("themes:exports", study.project),
        {"starred": "on"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="export-actions",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="export-actions"')
    assert "<strong>2</strong> coded quotes match" in html


def query_count(client, path):
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "name",
    ["themes:exports", "themes:framework_matrix", "themes:export_quotes_csv", "themes:export_file"],
)
def test_query_count_does_not_grow_with_the_number_of_codings(client, study, name):
    login(client, study.owner)
    kwargs = {"export": "framework_xlsx"} if name == "themes:export_file" else {}
    path = url(name, study.project, **kwargs)
    before = query_count(client, path)
    transcript = study.fg1
    Coding.objects.bulk_create(
        Coding(
            transcript=transcript,
            code=code,
            coder=coder,
            start=i,
            end=i + 4,
            text=transcript.text[i : i + 4],
        )  # fmt: skip
        for i in range(0, 200)
        for code, coder in ((study.safety, study.owner), (study.hacking, study.second_coder))
    )
    assert query_count(client, path) == before


def post_summary(client, study, **extra):
    data = {
        "code": study.safety.pk,
        "case_kind": "participant",
        "participant": study.people["P1"].pk,
        "text": "Worried about hacking.",
        **extra,
    }
    return client.post(
        url("themes:matrix_summary_save", study.project), data, HTTP_HX_REQUEST="true"
    )


def test_a_coder_saves_a_cell_summary_with_htmx(client, study, coder):
    login(client, coder)
    response = post_summary(client, study)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saved" in html and "Worried about hacking." in html
    assert "<html" not in html
    summary = MatrixCellSummary.objects.get()
    assert (summary.text, summary.updated_by) == ("Worried about hacking.", coder)
    page = client.get(url("themes:framework_matrix", study.project)).content.decode()
    assert "Worried about hacking." in page


def test_a_viewer_cannot_save_a_summary_and_sees_it_read_only(client, study, viewer):
    login(client, study.owner)
    post_summary(client, study)
    login(client, viewer)
    assert post_summary(client, study, text="Overwritten").status_code == 403
    assert MatrixCellSummary.objects.get().text == "Worried about hacking."
    page = client.get(url("themes:framework_matrix", study.project)).content.decode()
    assert "Worried about hacking." in page
    assert "<textarea" not in page
    assert 'class="star' not in page.replace('class="star on"', "")


def test_an_outsider_cannot_save_a_summary(client, study, outsider):
    login(client, outsider)
    assert post_summary(client, study).status_code == 404
    assert not MatrixCellSummary.objects.exists()


def test_a_summary_naming_another_projects_participant_is_404(client, study):
    from tests.factories import ParticipantFactory

    login(client, study.owner)
    response = post_summary(client, study, participant=ParticipantFactory().pk)
    assert response.status_code == 404
    assert not MatrixCellSummary.objects.exists()


def test_a_summary_without_a_case_is_refused_with_a_message(client, study):
    login(client, study.owner)
    response = post_summary(client, study, case_kind="participant", participant="")
    assert response.status_code == 400
    assert "not a known case" in response.content.decode()


def test_without_htmx_saving_a_summary_redirects_back_to_the_matrix(client, study):
    login(client, study.owner)
    next_url = url("themes:framework_matrix", study.project) + "?rows=participant"
    response = client.post(
        url("themes:matrix_summary_save", study.project),
        {
            "code": study.safety.pk,
            "case_kind": "participant",
            "participant": study.people["P1"].pk,
            "text": "Plain form.",
            "next": next_url,
        },
    )
    assert response.status_code == 302 and response["Location"] == next_url
    response = client.post(
        url("themes:matrix_summary_save", study.project),
        {"code": study.safety.pk, "case_kind": "transcript", "transcript": study.fg1.pk,
         "text": "x", "next": "https://evil.example/"},
    )  # fmt: skip
    assert response["Location"] == url("themes:framework_matrix", study.project)


def test_starring_a_quote_from_the_matrix_is_audited(client, study, coder, viewer, outsider):
    star = url("themes:matrix_coding_star", study.project, coding_id=study.numbers.pk)
    login(client, outsider)
    assert client.post(star, {"starred": "1"}).status_code == 404
    login(client, viewer)
    assert client.post(star, {"starred": "1"}).status_code == 403
    login(client, coder)
    response = client.post(star, {"starred": "1"}, HTTP_HX_REQUEST="true")
    assert 'aria-pressed="true"' in response.content.decode()
    study.numbers.refresh_from_db()
    assert study.numbers.starred
    event = AuditEvent.objects.filter(object_type="coding", object_id=study.numbers.pk).first()
    assert (event.before["starred"], event.after["starred"]) == (False, True)
    client.post(star, {"starred": "0"})
    study.numbers.refresh_from_db()
    assert not study.numbers.starred


def test_starring_another_projects_coding_is_404(client, study):
    other = CodingFactory()
    login(client, study.owner)
    star = url("themes:matrix_coding_star", study.project, coding_id=other.pk)
    assert client.post(star, {"starred": "1"}).status_code == 404


def test_matrix_page_shows_quotes_with_references_and_counts(client, study):
    login(client, study.owner)
    html = client.get(url("themes:framework_matrix", study.project)).content.decode()
    assert "(FG1, P2, 00:14:22)" in html
    assert "Definitely letter." in html
    html = client.get(
        url("themes:framework_matrix", study.project), {"cells": "counts", "rows": "transcript"}
    ).content.decode()
    assert '<span class="cell-count">2</span>' in html
    assert "Definitely letter." not in html


def test_a_background_export_writes_a_file_members_can_download(
    client, study, viewer, outsider, django_capture_on_commit_callbacks
):
    login(client, viewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url("themes:export_job_start", study.project),
            {"export": "quotes_csv", "transcript": study.fg2.pk},
            HTTP_HX_REQUEST="true",
        )
    job = Job.objects.get(kind="themes.export")
    assert job.status == "done", job.error
    download = url("themes:export_download", study.project, job_id=job.pk)
    file_response = client.get(download)
    body = b"".join(file_response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert [row[4] for row in rows[1:]] == ["FG2"]
    assert job.result["quotes"] == 1
    poll = client.get(url("themes:export_job", study.project, job_id=job.pk)).content.decode()
    assert download in poll
    assert 'data-status="done"' in poll
    page = client.get(url("themes:exports", study.project)).content.decode()
    assert download in page
    login(client, outsider)
    assert client.get(download).status_code == 404
    assert client.get(url("themes:export_job", study.project, job_id=job.pk)).status_code == 404


def test_a_background_export_of_another_kind_is_not_downloadable(client, study):
    from jobs.services import job_create

    job = job_create(project=study.project, kind="coding.verify")
    Job.objects.filter(pk=job.pk).update(status="done", result={"file": "secret.txt"})
    login(client, study.owner)
    assert (
        client.get(url("themes:export_download", study.project, job_id=job.pk)).status_code == 404
    )


def test_a_background_export_with_an_unknown_kind_is_refused(client, study):
    login(client, study.owner)
    response = client.post(url("themes:export_job_start", study.project), {"export": "everything"})
    assert response.status_code == 400
    assert not Job.objects.exists()


def test_background_export_for_outsiders_is_404(client, study, outsider):
    login(client, outsider)
    response = client.post(url("themes:export_job_start", study.project), {"export": "quotes_csv"})
    assert response.status_code == 404
    assert not Job.objects.exists()


def test_matrix_page_shows_twenty_quotes_per_cell_and_says_how_many_more(client, study):
    transcript, p1_turn = study.fg1, study.fg1.turns.get(order=1)
    Coding.objects.bulk_create(
        Coding(
            transcript=transcript,
            code=study.hacking,
            coder=study.owner,
            start=p1_turn.start + i,
            end=p1_turn.start + i + 5,
            text=transcript.text[p1_turn.start + i : p1_turn.start + i + 5],
        )  # fmt: skip
        for i in range(23)
    )  # with the two quotes already there: 25 in the P1 x Safety cell
    login(client, study.owner)
    html = client.get(url("themes:framework_matrix", study.project)).content.decode()
    cell = html.split('data-case="P1" data-column="Safety"')[1].split("</td>")[0]
    assert cell.count("<li>") == 20
    assert "and 5 more (all are in the exports)" in cell


def test_pages_of_a_project_with_nothing_coded_say_so(client, project, user):
    login(client, user)
    html = client.get(url("themes:framework_matrix", project)).content.decode()
    assert "Nothing to chart yet: the framework has no themes." in html
    html = client.get(url("themes:exports", project)).content.decode()
    assert "<strong>0</strong> coded quotes match" in html
    _, rows = read_stream(client.get(url("themes:export_quotes_csv", project)))
    assert rows == [
        ["Theme", "Code", "Quote", "Transcript", "Group", "Site", "Date", "Speaker",
         "Participant", "Turn", "Timestamp", "Start", "End", "Coder", "Memo", "Origin",
         "Coded at"]
    ]  # fmt: skip


def test_background_export_files_are_deleted_after_the_retention_period(
    client, study, user, django_capture_on_commit_callbacks
):
    login(client, user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("themes:export_job_start", study.project), {"export": "quotes_csv"})
    job = Job.objects.get(kind="themes.export")
    stored = job.result["file"]
    assert default_storage.exists(stored)
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(hours=25))

    call_command("expire_exports")

    job.refresh_from_db()
    assert not default_storage.exists(stored)
    assert job.result.get("expired") is True and "file" not in job.result
    assert (
        client.get(url("themes:export_download", study.project, job_id=job.pk)).status_code == 404
    )
    poll = client.get(url("themes:export_job", study.project, job_id=job.pk)).content.decode()
    assert "deleted after the retention period" in poll


def test_a_summary_saved_over_someone_elses_newer_one_is_refused(client, study, coder):
    login(client, coder)
    first = post_summary(client, study, text="Worried about hacking.", seen="")
    assert first.status_code == 200
    # a second analyst had the empty cell open too, and saves later
    second = post_summary(client, study, text="Trusts the NHS.", seen="")
    assert second.status_code == 400
    html = second.content.decode()
    assert "Someone changed this summary since you opened it" in html
    assert "Worried about hacking." in html  # theirs is shown, and carried as seen
    assert 'name="seen" value="Worried about hacking."' in html
    assert MatrixCellSummary.objects.get().text == "Worried about hacking."
    third = post_summary(
        client, study, text="Worried; trusts the NHS.", seen="Worried about hacking."
    )
    assert third.status_code == 200
    assert MatrixCellSummary.objects.get().text == "Worried; trusts the NHS."


def test_report_charts_from_the_view_are_blind_for_a_blind_coder(client, study, tmp_path):
    from coding.models import BlindPhase

    BlindPhase.objects.create(project=study.project, transcript=None, started_by=study.owner)
    login(client, study.second_coder)
    response = client.get(
        url("themes:export_file", study.project, export="report_docx"),
        {"report_charts": "on", "report_quotes": "all"},
    )
    path = tmp_path / "r.docx"
    path.write_bytes(response.content)
    document = Document(str(path))
    assert len(document.inline_shapes) == 2
    grid = [[cell.text for cell in row.cells] for row in document.tables[1].rows]
    # Only the coder's own codings: Hacking (under Safety) in FG1 and the leaflets in FG2.
    assert grid[1:] == [["Safety", "1 (33%)", "–"], ["Communication", "–", "1 (100%)"]]
