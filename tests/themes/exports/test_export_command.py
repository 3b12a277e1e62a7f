from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from openpyxl import load_workbook

from jobs.models import Job
from jobs.runner import job_run
from jobs.services import job_create
from themes.exports.services import export_run

pytestmark = pytest.mark.django_db


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_command_writes_the_quote_csv_with_filters_by_name(study, tmp_path):
    out = tmp_path / "quotes.csv"
    call_command(
        "export_matrix", study.project.name, "--format", "csv", "--out", str(out),
        "--code", "Safety > Hacking", "--code", "Communication",
        "--attr", "Carer=Yes", "--coder", study.second_coder.username,
    )  # fmt: skip
    rows = read_csv(out)
    # the second coder's Hacking quote is P1's (not a carer): only P3's leaflet quote remains
    assert [(r["Code"], r["Group"], r["Participant"]) for r in rows] == [
        ("Communication", "FG2", "P3")
    ]


def test_command_with_a_group_filter_and_bom(study, tmp_path):
    out = tmp_path / "fg1.csv"
    call_command(
        "export_matrix", str(study.project.pk), "--format", "csv", "--out", str(out),
        "--group", "FG1", "--bom",
    )  # fmt: skip
    assert out.read_bytes().startswith(b"\xef\xbb\xbfTheme,")
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines(keepends=True)))
    assert {r["Group"] for r in rows} == {"FG1"}
    assert len(rows) == 4


def test_command_writes_the_framework_matrix_as_xlsx_by_attribute(study, tmp_path):
    out = tmp_path / "matrix.xlsx"
    call_command(
        "export_matrix", str(study.project.pk), "--kind", "framework", "--format", "xlsx",
        "--rows", "attribute:Age band", "--cells", "counts", "--out", str(out),
    )  # fmt: skip
    sheet = load_workbook(out)["Framework matrix"]
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    assert rows["Age band"][:3] == ("Age band", "Safety: summary", "Safety: quotes (count)")
    assert rows["55-64"][2] == 2


def test_command_writes_the_report_as_docx(study, tmp_path):
    out = tmp_path / "report.docx"
    call_command(
        "export_matrix", str(study.project.pk), "--kind", "report", "--format", "docx",
        "--attribution", "group_attribute:Age band", "--out", str(out),
    )  # fmt: skip
    quotes = [p.text for p in Document(str(out)).paragraphs if p.style.name == "Quote"]
    assert quotes[-1].endswith("(FG1, Age band 65-74)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--code", "Nothing"], "--code 'Nothing': no such theme or code"),
        (["--group", "FG9"], "--group 'FG9': no such group"),
        (["--attr", "Age band"], 'write it as "Attribute=value"'),
        (["--attr", "Height=tall"], "no attribute 'Height' (known: Age band, Carer)"),
        (["--attr", "Age band=99+"], "Participants with (attr)"),
        (["--coder", "nobody"], "--coder 'nobody': no such user"),
        (["--kind", "report"], "--kind report is written as docx or html, not csv"),
    ],
)
def test_command_names_the_bad_option(study, tmp_path, args, message):
    out = tmp_path / "x.csv"
    with pytest.raises(CommandError) as error:
        call_command(
            "export_matrix", str(study.project.pk), "--format", "csv", "--out", str(out), *args
        )
    assert message in str(error.value)
    assert not out.exists()


def test_command_refuses_an_unknown_project(db, tmp_path):
    with pytest.raises(CommandError, match="No project 'Nope'"):
        call_command("export_matrix", "Nope", "--format", "csv", "--out", str(tmp_path / "x"))


def test_a_background_export_whose_filters_went_stale_fails_with_a_readable_error(study):
    job = job_create(
        project=study.project,
        kind="themes.export",
        params={"export": "quotes_csv", "filters": {"code": [str(study.hacking.pk)]}},
    )
    study.hacking.delete()
    job_run(job.pk, export_run)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "Themes and codes (code)" in job.error


def test_command_writes_csv_to_stdout(study, capsys):
    call_command("export_matrix", str(study.project.pk), "--format", "csv", "--out", "-",
                 "--group", "FG2")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out, newline="")))
    assert [row["Participant"] for row in rows] == ["P3"]


def test_command_refuses_binary_formats_on_stdout(study):
    with pytest.raises(CommandError, match="cannot be written to stdout"):
        call_command("export_matrix", str(study.project.pk), "--format", "xlsx", "--out", "-")


def test_a_background_csv_export_counts_quotes_not_line_breaks(study):
    job = job_create(project=study.project, kind="themes.export", params={"export": "quotes_csv"})
    job_run(job.pk, export_run)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.result["quotes"] == 5  # one memo holds a \r\n; still five quotes
    assert job.message == "Theme-quote matrix ready: 5 quotes."


def test_command_writes_a_report_of_every_quote_attributed_with_several_attributes(study, tmp_path):
    from docx import Document

    out = tmp_path / "report.docx"
    call_command(
        "export_matrix", str(study.project.pk), "--kind", "report", "--format", "docx",
        "--out", str(out), "--attribution", "group_participant",
        "--attribution-attr", "Age band", "--attribution-attr", "Carer", "--all-quotes",
    )  # fmt: skip
    quotes = [p.text for p in Document(str(out)).paragraphs if p.style.name == "Quote"]
    assert any(q.endswith("(FG1, P2, 65-74 Yes)") for q in quotes)
    assert len(quotes) > 2  # not only the two starred ones


def test_command_filters_and_charts_by_a_group_attribute(study, tmp_path):
    from transcripts.services.groups import group_attribute_create, group_values_set

    setting = group_attribute_create(project=study.project, name="Setting", type="choice",
                                     choices="Urban, Rural")  # fmt: skip
    group_values_set(transcript=study.fg1, values={setting.pk: "Urban"})
    group_values_set(transcript=study.fg2, values={setting.pk: "Rural"})
    out = tmp_path / "rural.csv"
    call_command("export_matrix", study.project.name, "--format", "csv", "--out", str(out),
                 "--group-attr", "setting=Rural")  # fmt: skip
    assert {r["Group"] for r in read_csv(out)} == {"FG2"}
    matrix = tmp_path / "matrix.csv"
    call_command("export_matrix", study.project.name, "--kind", "framework", "--format", "csv",
                 "--rows", "group_attribute:Setting", "--out", str(matrix))  # fmt: skip
    lines = list(csv.reader(matrix.read_text(encoding="utf-8").splitlines(keepends=True)))
    assert lines[0][0] == "Setting" and [line[0] for line in lines[1:]] == ["Urban", "Rural"]
    with pytest.raises(CommandError, match="no group attribute 'Region' \\(known: Setting\\)"):
        call_command("export_matrix", study.project.name, "--format", "csv", "--out",
                     str(out), "--group-attr", "Region=North")  # fmt: skip
