from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from coding.models import Coding
from tests.factories import TurnFactory
from themes.exports.cells import neutralise, recover
from themes.exports.quotes import quotes_csv_chunks, quotes_xlsx_write
from themes.exports.records import ExportFilters, quote_records

pytestmark = pytest.mark.django_db

COLUMNS = [
    "Theme", "Code", "Quote", "Transcript", "Group", "Site", "Date", "Speaker", "Participant",
    "Participant: Age band", "Participant: Carer",
    "Turn", "Timestamp", "Start", "End", "Coder", "Memo", "Origin", "Coded at",
]  # fmt: skip


def read_csv(project, filters=None, **kwargs):
    text = "".join(quotes_csv_chunks(project, filters or ExportFilters(), **kwargs))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def by_start(rows):
    return {int(row["Start"]): row for row in rows}


def test_csv_has_the_documented_columns_in_order(study):
    header, _ = read_csv(study.project)
    assert header == COLUMNS


def test_every_coding_round_trips_through_the_csv_module(study):
    _, rows = read_csv(study.project)
    codings = Coding.objects.filter(transcript__project=study.project)
    assert len(rows) == codings.count()
    rows = by_start(rows)
    for coding in codings:
        row = rows[coding.start]
        assert recover(row["Quote"]) == coding.text
        assert int(row["End"]) == coding.end
        assert recover(row["Memo"]) == coding.memo
        assert row["Coder"] == coding.coder.username


def test_quote_with_newline_emoji_and_commas_survives(study):
    _, rows = read_csv(study.project)
    worry = by_start(rows)[study.worry.start]
    assert worry["Quote"] == "Hacking worries me 😟\nand the wrong email, too."
    assert (worry["Theme"], worry["Code"]) == ("Safety", "Safety > Hacking")
    assert worry["Site"] == "Leeds, West Yorkshire"


def test_cells_that_spreadsheets_would_run_as_formulas_are_neutralised(study):
    _, rows = read_csv(study.project)
    numbers = by_start(rows)[study.numbers.start]
    assert numbers["Quote"] == "'=SUM(A1:A9) is how they think of us, honestly, just numbers."
    assert numbers["Memo"] == "'=cmd|' /C calc'!A0"  # one quote added, original kept after it
    leaflets = by_start(rows)[study.leaflets.start]
    assert leaflets["Quote"].startswith("'-1 for apps")
    for row in rows:
        for value in row.values():
            assert not value or value[0] not in "=+-@\t\r"


@pytest.mark.parametrize(
    "text", ["=1+1", "+44 113", "-1", "@home", "\tx", "\rx", "'quoted'", "plain", ""]
)
def test_neutralised_text_is_recovered_exactly(text):
    assert recover(neutralise(text)) == text


def test_turn_speaker_participant_attributes_and_timestamp_come_from_the_turn(study):
    _, rows = read_csv(study.project)
    letter = by_start(rows)[study.letter.start]
    assert letter["Speaker"] == "P2"
    assert letter["Participant"] == "P2"
    assert letter["Participant: Age band"] == "65-74"
    assert letter["Participant: Carer"] == "Yes"
    assert letter["Turn"] == "3"
    assert letter["Timestamp"] == "00:14:22"
    assert (letter["Group"], letter["Transcript"]) == ("FG1", "FG1 transcript.docx")
    assert letter["Date"] == "2025-03-04"
    assert letter["Origin"] == "Manual"
    welcome = by_start(rows)[study.welcome.start]
    assert (welcome["Speaker"], welcome["Participant"]) == ("Moderator", "")


def test_rows_follow_framework_order_then_group_order(study):
    _, rows = read_csv(study.project)
    assert [row["Code"] for row in rows] == [
        "Safety", "Safety > Hacking", "Communication", "Communication", "Communication"
    ]  # fmt: skip
    assert [row["Group"] for row in rows][2:] == ["FG1", "FG1", "FG2"]


def test_a_coding_starting_on_a_speaker_label_belongs_to_the_turn_it_covers(study):
    transcript = study.fg2
    label_start = transcript.text.index("P3: ")
    coding = Coding.objects.create(
        transcript=transcript, code=study.safety, coder=study.owner,
        start=label_start, end=label_start + 10, text=transcript.text[label_start:label_start + 10],
    )  # fmt: skip
    record = next(
        r for r in quote_records(study.project, ExportFilters()) if r.coding_id == coding.pk
    )
    assert record.who == "P3"


def test_bom_option_starts_the_file_with_a_byte_order_mark(study):
    plain = "".join(quotes_csv_chunks(study.project, ExportFilters()))
    excel = "".join(quotes_csv_chunks(study.project, ExportFilters(), bom=True))
    assert not plain.startswith("\ufeff")
    assert excel == "\ufeff" + plain
    assert excel.encode("utf-8")[:3] == b"\xef\xbb\xbf"


def test_filter_by_theme_includes_its_sub_codes(study):
    _, rows = read_csv(study.project, ExportFilters(codes=[study.safety]))
    assert sorted(int(r["Start"]) for r in rows) == sorted([study.numbers.start, study.worry.start])
    _, rows = read_csv(study.project, ExportFilters(codes=[study.hacking]))
    assert [int(r["Start"]) for r in rows] == [study.worry.start]


def test_filter_by_group(study):
    _, rows = read_csv(study.project, ExportFilters(transcripts=[study.fg2]))
    assert [r["Quote"] for r in rows] == ["'-1 for apps, +1 for leaflets, @everyone agrees"]


def test_filter_by_attribute_values_or_within_and_across_attributes(study):
    young_or_old = ExportFilters(attribute_values=[(study.age, "25-34"), (study.age, "65-74")])
    _, rows = read_csv(study.project, young_or_old)
    assert sorted(r["Participant"] for r in rows) == ["P2", "P3"]
    old_carers = ExportFilters(attribute_values=[(study.age, "65-74"), (study.carer, "Yes")])
    _, rows = read_csv(study.project, old_carers)
    assert [r["Participant"] for r in rows] == ["P2"]
    nobody = ExportFilters(attribute_values=[(study.age, "55-64"), (study.carer, "Yes")])
    assert read_csv(study.project, nobody)[1] == []


def test_filter_by_coder_and_starred(study):
    _, rows = read_csv(study.project, ExportFilters(coders=[study.second_coder]))
    assert {r["Coder"] for r in rows} == {study.second_coder.username}
    assert len(rows) == 2
    _, rows = read_csv(study.project, ExportFilters(starred_only=True))
    assert sorted(int(r["Start"]) for r in rows) == sorted([study.letter.start, study.worry.start])


def test_other_projects_codings_never_appear(study, db):
    from tests.factories import CodingFactory

    CodingFactory(text="Someone else's words")
    _, rows = read_csv(study.project)
    assert "Someone else's words" not in {r["Quote"] for r in rows}


def test_the_header_is_yielded_before_any_coding_is_read(study):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    chunks = quotes_csv_chunks(study.project, ExportFilters())
    with CaptureQueriesContext(connection) as queries:
        first = next(chunks)
    assert first.startswith("Theme,Code,Quote")
    assert not [q for q in queries if 'FROM "coding_coding"' in q["sql"]]
    with CaptureQueriesContext(connection) as queries:
        rest = "".join(chunks)
    assert [q for q in queries if 'FROM "coding_coding"' in q["sql"]]
    assert "Hacking worries me" in rest


def test_xlsx_quotes_read_back_with_openpyxl(study, tmp_path):
    path = tmp_path / "quotes.xlsx"
    assert quotes_xlsx_write(study.project, ExportFilters(), path) == 5
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    quotes = {recover(row[2]) for row in rows[1:]}
    assert quotes == set(Coding.objects.values_list("text", flat=True))
    assert sheet.freeze_panes == "A2"
    numbers = next(row for row in rows if row[13] == study.numbers.start)
    # text, never a formula, with no apostrophe to see: a string cell marked "quote prefix"
    assert numbers[2].startswith("=SUM(A1:A9)")
    cell = sheet.cell(row=rows.index(numbers) + 1, column=3)
    assert cell.data_type == "s" and cell.quotePrefix


def test_many_turns_are_looked_up_without_a_query_per_coding(
    project, user, django_assert_max_num_queries
):
    from tests.factories import TranscriptFactory

    transcript = TranscriptFactory(project=project, text="abcdefghij" * 100)
    TurnFactory(transcript=transcript, order=0, start=0, end=500, speaker_label="A")
    TurnFactory(transcript=transcript, order=1, start=500, end=1000, speaker_label="B")
    from coding.services.codes import code_create

    code = code_create(project=project, user=user, name="Theme")
    Coding.objects.bulk_create(
        Coding(transcript=transcript, code=code, coder=user, start=i, end=i + 3, text="x")
        for i in range(0, 990, 10)
    )
    with django_assert_max_num_queries(11):  # the index (group attribute values too), codings
        records = list(quote_records(project, ExportFilters()))
    assert len(records) == 99
    assert [r.speaker for r in records].count("B") == 49


def test_xlsx_cells_are_typed_numbers_dates_times_and_durations(study, tmp_path):
    import datetime

    from transcripts.models import Attribute, AttributeValue

    years = Attribute.objects.create(project=study.project, name="Years", type="number", order=5)
    joined = Attribute.objects.create(project=study.project, name="Joined", type="date", order=6)
    p1 = study.people["P1"]
    AttributeValue.objects.create(participant=p1, attribute=years, value="12.5")
    AttributeValue.objects.create(participant=p1, attribute=joined, value="2024-01-15")
    path = tmp_path / "quotes.xlsx"
    quotes_xlsx_write(study.project, ExportFilters(), path)
    sheet = load_workbook(path).active
    header = [cell.value for cell in sheet[1]]
    row = next(
        r for r in sheet.iter_rows(min_row=2) if r[header.index("Participant")].value == "P1"
    )
    cell = {name: row[header.index(name)] for name in header}
    assert cell["Participant: Years"].value == 12.5 and cell["Participant: Years"].data_type == "n"
    assert cell["Participant: Joined"].value == datetime.datetime(2024, 1, 15)
    assert cell["Participant: Joined"].number_format == "yyyy-mm-dd"
    assert cell["Date"].is_date and cell["Date"].number_format == "yyyy-mm-dd"
    assert isinstance(cell["Coded at"].value, datetime.datetime)
    assert cell["Coded at"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert isinstance(cell["Timestamp"].value, datetime.timedelta)
    assert cell["Turn"].data_type == "n" and cell["Start"].data_type == "n"
    assert cell["Participant: Age band"].data_type == "s"
