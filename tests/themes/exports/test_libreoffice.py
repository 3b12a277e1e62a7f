"""The exports opened by LibreOffice Calc (headless), as an analyst would open them: the quotes
come through whole (commas, newlines, emoji, accents), a neutralised formula stays text, and
the file survives LibreOffice saving it again as CSV."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from coding.models import Coding
from themes.exports.cells import recover
from themes.exports.matrix import MatrixOptions, framework_matrix_build, framework_xlsx_write
from themes.exports.quotes import quotes_csv_chunks, quotes_xlsx_write
from themes.exports.records import ExportFilters

pytestmark = [pytest.mark.django_db, pytest.mark.desktop]

SOFFICE = os.environ.get("SOFFICE", "soffice")
# Comma separated, double-quoted, UTF-8 (76), data from line 1: what Calc's import dialog shows
# for our files.
CSV_OPTIONS = "44,34,76,1"


def soffice(source: Path, target: str, outdir: Path, *, infilter: str | None = None) -> Path:
    """Convert ``source`` with LibreOffice Calc and return the file it wrote."""
    executable = shutil.which(SOFFICE)
    if executable is None:
        pytest.skip(f"LibreOffice ({SOFFICE}) not found (make libreoffice installs it)")
    profile = outdir / "profile"
    command = [
        executable,
        "--headless",
        f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to",
        target,
        "--outdir",
        str(outdir),
    ]
    if infilter:
        command.insert(2, f"--infilter={infilter}")
    subprocess.run([*command, str(source)], check=True, capture_output=True, timeout=120)
    written = outdir / f"{source.stem}.{target.split(':')[0]}"
    assert written.exists(), f"LibreOffice did not write {written.name}"
    return written


def sheet_rows(path: Path, sheet: str | None = None) -> list[list[object]]:
    book = load_workbook(path)
    worksheet = book[sheet] if sheet else book.active
    return [[cell.value for cell in row] for row in worksheet.iter_rows()]


def lf(text: str) -> str:
    # Calc keeps a line break inside a cell as LF, whatever the file had.
    return text.replace("\r\n", "\n")


def test_the_quote_csv_opens_in_calc_with_every_quote_whole(study, tmp_path):
    source = tmp_path / "quotes.csv"
    source.write_text("".join(quotes_csv_chunks(study.project, ExportFilters(), bom=True)))
    converted = soffice(source, "xlsx", tmp_path / "calc", infilter=f"CSV:{CSV_OPTIONS}")

    rows = sheet_rows(converted)
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Theme", "Code", "Quote"]  # the BOM is not part of the first name
    column = {name: index for index, name in enumerate(header)}
    codings = {c.start: c for c in Coding.objects.filter(transcript__project=study.project)}
    assert len(body) == len(codings)
    for row in body:
        coding = codings[row[column["Start"]]]  # numbers arrive as numbers
        assert recover(row[column["Quote"]]) == coding.text
        assert recover(row[column["Memo"]] or "") == lf(coding.memo)
        assert row[column["End"]] == coding.end
    worry = next(row for row in body if row[column["Start"]] == study.worry.start)
    assert worry[column["Quote"]] == "Hacking worries me 😟\nand the wrong email, too."
    assert worry[column["Site"]] == "Leeds, West Yorkshire"
    numbers = next(row for row in body if row[column["Start"]] == study.numbers.start)
    assert numbers[column["Quote"]].startswith("'=SUM(A1:A9)")  # text, never run as a formula
    book = load_workbook(converted)
    assert not [
        cell.coordinate for row in book.active.iter_rows() for cell in row if cell.data_type == "f"
    ]


def test_the_quote_csv_survives_calc_saving_it_again(study, tmp_path):
    source = tmp_path / "quotes.csv"
    original = "".join(quotes_csv_chunks(study.project, ExportFilters()))
    source.write_text(original, encoding="utf-8")
    again = soffice(
        source,
        f"csv:Text - txt - csv (StarCalc):{CSV_OPTIONS}",
        tmp_path / "calc",
        infilter=f"CSV:{CSV_OPTIONS}",
    )
    before = list(csv.reader(original.splitlines(keepends=True)))
    after = list(csv.reader(again.read_text(encoding="utf-8").splitlines(keepends=True)))
    assert len(after) == len(before)
    quote = before[0].index("Quote")
    assert [row[quote] for row in after] == [lf(row[quote]) for row in before]


def test_the_xlsx_exports_open_in_calc(study, tmp_path):
    quotes = tmp_path / "quotes.xlsx"
    quotes_xlsx_write(study.project, ExportFilters(), quotes)
    matrix = tmp_path / "matrix.xlsx"
    framework_xlsx_write(
        framework_matrix_build(
            project=study.project, filters=ExportFilters(), options=MatrixOptions()
        ),
        matrix,
    )
    # Calc reads each workbook and writes it out again as its own file; what it wrote must
    # hold the same cells.
    for path in (quotes, matrix):
        resaved = soffice(path, "ods", tmp_path / "calc")
        back = soffice(resaved, "xlsx", tmp_path / "back")
        assert sheet_rows(back) == [
            [lf(value) if isinstance(value, str) else value for value in row]
            for row in sheet_rows(path)
        ]
    quote_cells = {recover(row[2]) for row in sheet_rows(back.parent / "quotes.xlsx")[1:]}
    assert "Hacking worries me 😟\nand the wrong email, too." in quote_cells
