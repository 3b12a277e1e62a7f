from __future__ import annotations

import csv
import io

import pytest
from docx import Document
from openpyxl import load_workbook

from themes.exports.cells import recover
from themes.exports.matrix import (
    NO_CASE,
    MatrixOptions,
    framework_csv_chunks,
    framework_matrix_build,
    framework_xlsx_write,
)
from themes.exports.records import ExportFilters
from themes.exports.report import Attribution, report_build, report_docx_write, report_html
from themes.exports.services import matrix_summary_save

pytestmark = pytest.mark.django_db


def build(study, filters=None, **options):
    return framework_matrix_build(
        project=study.project, filters=filters or ExportFilters(), options=MatrixOptions(**options)
    )


def read_framework_csv(matrix):
    rows = list(csv.reader(io.StringIO("".join(framework_csv_chunks(matrix)), newline="")))
    return rows[0], {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def test_participant_rows_and_theme_columns_hold_quotes_with_short_references(study):
    header, rows = read_framework_csv(build(study))
    assert header == [
        "Participant", "Safety: summary", "Safety: quotes",
        "Communication: summary", "Communication: quotes",
    ]  # fmt: skip
    assert list(rows) == ["P1", "P2", "P3", NO_CASE]
    assert rows["P1"]["Safety: quotes"] == (
        '"=SUM(A1:A9) is how they think of us, honestly, just numbers." (FG1, P1, 00:13:11)'
        "\n\n"
        '"Hacking worries me 😟\nand the wrong email, too." (FG1, P1, 00:15:33)'
    )
    assert rows["P2"]["Communication: quotes"] == (
        '"Definitely letter. I would pay more attention to a letter than a phone call" '
        "(FG1, P2, 00:14:22)"
    )
    assert rows[NO_CASE]["Communication: quotes"] == '"Welcome" (FG1, Moderator, 00:12:00)'


def test_group_rows_with_code_columns_and_counts(study):
    matrix = build(study, rows="transcript", columns="codes", cells="counts")
    header, rows = read_framework_csv(matrix)
    assert header[0] == "Group"
    assert "Safety > Hacking: quotes (count)" in header
    assert rows["FG1"]["Safety: quotes (count)"] == "1"
    assert rows["FG1"]["Safety > Hacking: quotes (count)"] == "1"
    assert rows["FG1"]["Communication: quotes (count)"] == "2"
    assert rows["FG2"]["Communication: quotes (count)"] == "1"
    assert matrix.total == 5


def test_attribute_value_rows_follow_the_attribute_choices(study):
    study.age.choices = ["65-74", "25-34", "55-64"]
    study.age.save()
    matrix = build(study, rows="attribute", attribute=study.age, cells="counts")
    _, rows = read_framework_csv(matrix)
    assert list(rows) == ["65-74", "25-34", "55-64", NO_CASE]
    assert rows["55-64"]["Safety: quotes (count)"] == "2"


def test_filters_narrow_rows_and_columns(study):
    matrix = build(study, ExportFilters(codes=[study.communication], transcripts=[study.fg2]))
    assert [c.name for c in matrix.columns] == ["Communication"]
    assert [case.label for case in matrix.cases] == ["P3"]


def test_summaries_are_exported_beside_the_quotes_in_csv_and_xlsx(study, tmp_path):
    matrix_summary_save(
        project=study.project, user=study.owner, code=study.safety, case_kind="participant",
        participant=study.people["P1"], text="=Worried about numbers, and hacking 😟",
    )  # fmt: skip
    _, rows = read_framework_csv(build(study))
    assert rows["P1"]["Safety: summary"] == "'=Worried about numbers, and hacking 😟"
    path = tmp_path / "matrix.xlsx"
    framework_xlsx_write(build(study), path, about=["Project: test"])
    book = load_workbook(path)
    sheet = book["Framework matrix"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["Participant", "Safety: summary", "Safety: quotes"]
    p1 = next(row for row in values if row[0] == "P1")
    assert recover(p1[1]) == "=Worried about numbers, and hacking 😟"
    assert sheet["B2"].data_type == "s"  # text, not a formula
    assert "Hacking worries me 😟\nand the wrong email, too." in p1[2]
    assert sheet.freeze_panes == "B2"
    assert sheet["C2"].alignment.wrap_text
    assert sheet.column_dimensions["C"].width == 60
    assert book["About"]["A1"].value == "Project: test"


def test_saving_a_summary_again_replaces_it_and_is_audited(study):
    from coding.models import AuditEvent

    for text in ("First", "Second"):
        matrix_summary_save(
            project=study.project, user=study.owner, code=study.communication,
            case_kind="attribute", attribute=study.age, attribute_value="65-74", text=text,
        )  # fmt: skip
    matrix = build(study, rows="attribute", attribute=study.age)
    _, rows = read_framework_csv(matrix)
    assert rows["65-74"]["Communication: summary"] == "Second"
    events = AuditEvent.objects.filter(project=study.project, object_type="matrixcellsummary")
    assert [e.after["text"] for e in events.order_by("id")] == ["First", "Second"]


def test_a_summary_cannot_point_at_another_projects_case(study):
    from django.core.exceptions import ValidationError

    from tests.factories import ParticipantFactory

    with pytest.raises(ValidationError):
        matrix_summary_save(
            project=study.project, user=study.owner, code=study.safety,
            case_kind="participant", participant=ParticipantFactory(), text="x",
        )  # fmt: skip


def report_paragraphs(study, tmp_path, attribution):
    report = report_build(project=study.project, filters=ExportFilters(), attribution=attribution)
    path = tmp_path / "report.docx"
    report_docx_write(report, str(path))
    return [(p.style.name, p.text) for p in Document(str(path)).paragraphs]


def test_docx_report_lists_themes_in_framework_order_with_counts_and_starred_quotes(
    study, tmp_path
):
    paragraphs = report_paragraphs(study, tmp_path, Attribution("group"))
    headings = [text for style, text in paragraphs if style == "Heading 1"]
    assert headings == ["Safety", "Communication"]
    texts = [text for _, text in paragraphs]
    assert "Keeping data safe." in texts
    assert "2 quotes from 1 group." in texts
    assert "3 quotes from 2 groups." in texts
    quotes = [text for style, text in paragraphs if style == "Quote"]
    assert quotes == [
        "'Hacking worries me 😟\nand the wrong email, too.' (FG1)  [Safety > Hacking]",
        "'Definitely letter. I would pay more attention to a letter than a phone call' (FG1)",
    ]


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("group_participant", "(FG1, P2)"),
        ("attribute", "(Age band 65-74)"),
        ("group_attribute", "(FG1, Age band 65-74)"),
    ],
)
def test_report_attribution_styles(study, tmp_path, style, expected):
    attribution = Attribution(style, attribute=study.age)
    quotes = [t for s, t in report_paragraphs(study, tmp_path, attribution) if s == "Quote"]
    assert quotes[1].endswith(expected)


def test_html_report_escapes_and_keeps_the_quotes(study):
    from coding.services.codings import coding_update

    coding_update(coding=study.numbers, user=study.owner, starred=True)
    report = report_build(
        project=study.project, filters=ExportFilters(), attribution=Attribution("group")
    )
    html = report_html(report)
    assert "<h2>Safety</h2>" in html
    assert "'=SUM(A1:A9) is how they think of us, honestly, just numbers.' (FG1)" in html
    assert "Safety &gt; Hacking" in html
    assert html.index("<h2>Safety</h2>") < html.index("<h2>Communication</h2>")


def test_control_characters_do_not_break_xlsx_or_docx_and_stay_in_the_csv(study, tmp_path):
    from coding.services.codings import coding_apply
    from tests.factories import TranscriptFactory
    from themes.exports.quotes import quotes_csv_chunks, quotes_xlsx_write

    transcript = TranscriptFactory(
        project=study.project, name="FG9", text="Page one\x0cpage\x0btwo"
    )
    coding = coding_apply(
        transcript=transcript, start=0, end=len(transcript.text), code=study.safety,
        coder=study.owner,
    )  # fmt: skip
    from coding.services.codings import coding_update

    coding_update(coding=coding, user=study.owner, starred=True)
    assert "Page one\x0cpage\x0btwo" in "".join(quotes_csv_chunks(study.project, ExportFilters()))
    quotes_xlsx_write(study.project, ExportFilters(), tmp_path / "q.xlsx")
    cells = [
        row[2] for row in load_workbook(tmp_path / "q.xlsx").active.iter_rows(values_only=True)
    ]
    assert "Page one\ufffdpage\ufffdtwo" in cells
    framework_xlsx_write(build(study, rows="transcript"), tmp_path / "m.xlsx")
    report = report_build(
        project=study.project, filters=ExportFilters(), attribution=Attribution("group")
    )
    report_docx_write(report, str(tmp_path / "r.docx"))
    quotes = [p.text for p in Document(str(tmp_path / "r.docx")).paragraphs]
    assert "'Page one\ufffdpage\ufffdtwo' (FG9)" in quotes


def test_report_attributes_a_quote_to_group_participant_and_several_attributes(study, tmp_path):
    attribution = Attribution("group_participant", extra=(study.age, study.carer))
    quotes = [t for s, t in report_paragraphs(study, tmp_path, attribution) if s == "Quote"]
    assert quotes[1].endswith("(FG1, P2, 65-74 Yes)")


def test_a_span_shared_by_two_coders_and_codes_is_one_quote_listing_its_codes(study, tmp_path):
    from coding.models import Coding
    from coding.services.codings import coding_apply

    worry = study.worry
    hacking = worry.code
    coding_apply(
        transcript=worry.transcript, start=worry.start, end=worry.end, code=hacking,
        coder=study.owner,
    )  # fmt: skip
    coding_apply(
        transcript=worry.transcript, start=worry.start, end=worry.end, code=study.safety,
        coder=study.owner,
    )  # fmt: skip
    Coding.objects.filter(start=worry.start, end=worry.end).update(starred=True)
    quotes = [
        t for s, t in report_paragraphs(study, tmp_path, Attribution("group")) if s == "Quote"
    ]
    assert sum("Hacking worries me" in q for q in quotes) == 1


def test_report_with_every_quote_and_the_cell_summaries(study, tmp_path):
    from coding.models import Coding

    matrix_summary_save(
        project=study.project, user=study.owner, code=study.safety, case_kind="participant",
        participant=study.people["P1"], text="Worried about hacking",
    )  # fmt: skip
    starred = Coding.objects.filter(starred=True).count()
    report = report_build(
        project=study.project, filters=ExportFilters(), attribution=Attribution("group"),
        which="all", summaries=True, author="Dana Moss",
    )  # fmt: skip
    assert sum(len(theme.quotes) for theme in report.themes) > starred
    safety = next(theme for theme in report.themes if theme.code == study.safety)
    assert ("P1", "Worried about hacking") in safety.summaries
    path = tmp_path / "all.docx"
    report_docx_write(report, str(path))
    document = Document(str(path))
    texts = [p.text for p in document.paragraphs]
    assert "P1: Worried about hacking" in texts
    properties = document.core_properties
    assert properties.author == "Dana Moss" and properties.title.endswith("themes and quotes")
    assert properties.created.year == report.created_at.year >= 2026


def test_a_report_with_nothing_starred_says_why(study, tmp_path):
    from coding.models import Coding

    Coding.objects.update(starred=False)
    report = report_build(
        project=study.project, filters=ExportFilters(), attribution=Attribution("group")
    )
    assert "No quote is starred yet" in report.empty_reason
    assert "No quote is starred yet" in report_html(report)


def test_a_matrix_cell_lists_a_span_coded_twice_once(study):
    from coding.services.codings import coding_apply

    worry = study.worry
    before = build(study)
    p1_cell = {key: cell.count for key, cell in before.cells.items()}
    coding_apply(
        transcript=worry.transcript, start=worry.start, end=worry.end, code=worry.code,
        coder=study.owner,
    )  # fmt: skip
    after = build(study)
    assert {key: cell.count for key, cell in after.cells.items()} == p1_cell
    texts = [q.text for cell in after.cells.values() for q in cell.quotes]
    assert texts.count(worry.text) == 1


def test_docx_report_charts_are_images_with_alt_text_and_their_tables(study, tmp_path):
    report = report_build(
        project=study.project,
        filters=ExportFilters(),
        attribution=Attribution("group"),
        charts=True,
    )
    path = tmp_path / "report.docx"
    report_docx_write(report, str(path))
    document = Document(str(path))
    shapes = document.inline_shapes
    assert len(shapes) == 2
    alts = [shape._inline.docPr.get("descr") for shape in shapes]
    assert "Communication: 2 of 2; Safety: 1 of 2" in alts[0]
    assert "The largest is Communication in FG2: 100% of its participant turns (1 turns)" in alts[1]
    images = [part for part in document.part.package.parts if part.content_type == "image/png"]
    assert len(images) == 2 and all(image.blob[:4] == b"\x89PNG" for image in images)
    bars, grid = document.tables[:2]
    assert [[c.text for c in row.cells] for row in bars.rows] == [
        ["Theme", "Groups raising it"],
        ["Communication", "2 of 2"],
        ["Safety", "1 of 2"],
    ]
    # FG1 has three participant turns (the moderator's is left out): Safety on two of them.
    assert [[c.text for c in row.cells] for row in grid.rows][1:] == [
        ["Safety", "2 (67%)", "–"],
        ["Communication", "1 (33%)", "1 (100%)"],
    ]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Across the groups", "Safety", "Communication"]


def test_report_without_charts_has_no_images(study, tmp_path):
    report = report_build(
        project=study.project, filters=ExportFilters(), attribution=Attribution("group")
    )
    path = tmp_path / "report.docx"
    report_docx_write(report, str(path))
    assert len(Document(str(path)).inline_shapes) == 0
    assert "<svg" not in report_html(report)


def test_html_report_charts_follow_the_group_filter(study):
    report = report_build(
        project=study.project,
        filters=ExportFilters(transcripts=[study.fg2]),
        attribution=Attribution("group"),
        charts=True,
    )
    html = report_html(report)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 2
    assert html.count('role="img"') == 2
    assert '<th scope="row">Communication</th><td>1 of 1</td>' in html
    assert '<th scope="row">Safety</th><td>0 of 1</td>' in html
    table = html[html.index('id="chart-heatmap-table"') :]
    assert '<th scope="col">FG2</th>' in table and "FG1" not in table.split("</table>")[0]


def test_group_attribute_rows_and_filter(study):
    import csv as csv_module

    from themes.exports.forms import ExportForm
    from themes.exports.quotes import quotes_csv_chunks
    from transcripts.services.groups import group_attribute_create, group_values_set

    setting = group_attribute_create(project=study.project, name="Setting", type="choice",
                                     choices="Urban, Rural")  # fmt: skip
    group_values_set(transcript=study.fg1, values={setting.pk: "Urban"})
    group_values_set(transcript=study.fg2, values={setting.pk: "Rural"})
    form = ExportForm({"rows": f"group_attribute:{setting.pk}"}, project=study.project)
    assert form.is_valid(), form.errors
    matrix = framework_matrix_build(
        project=study.project, filters=form.export_filters(), options=form.matrix_options()
    )
    header, rows = read_framework_csv(matrix)
    assert header[0] == "Setting" and list(rows) == ["Urban", "Rural"]
    assert "Definitely letter" in rows["Urban"]["Communication: quotes"]
    assert "-1 for apps" in rows["Rural"]["Communication: quotes"]
    assert rows["Rural"]["Safety: quotes"] == ""
    rural = ExportForm({"gattr": [f"{setting.pk}:Rural"]}, project=study.project)
    assert rural.is_valid(), rural.errors
    filters = rural.export_filters()
    assert filters.describe() == ["Groups with: Setting = Rural"]
    lines = list(csv_module.reader(io.StringIO("".join(quotes_csv_chunks(study.project, filters)))))
    assert len(lines) == 2 and "-1 for apps" in "".join(lines[1])
