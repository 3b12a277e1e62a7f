"""Every format parses to canonical text with turns; every bad input gets a clear message
that names the file."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.transcripts.files import (
    SRT,
    VTT,
    docx_bytes,
    odt_bytes,
    pdf_bytes,
    rtf_bytes,
    xlsx_bytes,
    zip_bytes,
)
from transcripts.importers import ImportFailure, parse_file
from transcripts.importers.archive import expand
from transcripts.importers.survey import default_columns, survey_document


def spoken(document) -> list[tuple[str, str]]:
    return [(t.speaker, document.text[t.start : t.end]) for t in document.turns]


def test_plain_text_and_markdown():
    text = "# FG1\n\nModerator: Welcome.\n\nP1: Thanks.\n"
    for name in ("fg1.txt", "fg1.md"):
        document = parse_file(name, text.encode())
        assert spoken(document) == [("Moderator", "Welcome."), ("P1", "Thanks.")]
        assert document.encoding == "utf-8"


def test_utf8_with_bom_loses_the_bom():
    document = parse_file("fg.txt", "\ufeffP1: Hello.".encode())
    assert document.text == "P1: Hello."
    assert document.encoding == "utf-8-sig"


def test_windows_1252_text_is_decoded_and_the_analyst_is_told():
    document = parse_file("fg.txt", "P1: It’s a café – fine.".encode("cp1252"))
    assert spoken(document) == [("P1", "It’s a café – fine.")]
    assert document.encoding == "cp1252"
    assert "Windows-1252 (cp1252)" in document.warnings[0]


def test_word_document_with_paragraphs_and_a_speaker_table():
    data = docx_bytes(
        ["Focus group 3", "Moderator: Welcome.", "P1: First.", "Carrying on."],
        table=[["P2", "00:10:00", "From the table."]],
    )
    document = parse_file("FG3.docx", data)
    assert document.source_format == "docx"
    assert spoken(document) == [
        ("Moderator", "Welcome."),
        ("P1", "First.\n\nCarrying on."),
        ("P2", "From the table."),
    ]
    assert document.turns[-1].timestamp_start_ms == 600_000


def test_a_word_document_with_an_xml_entity_is_refused_not_cut_short():
    """lxml leaves DTD entities unexpanded: python-docx would drop the rest of the paragraph."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes(["P1: Before MARK after the entity."])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "word/document.xml":
                head, rest = body.decode().split("?>", 1)
                doctype = '<!DOCTYPE w:document [<!ENTITY trust "the NHS trust">]>'
                body = f"{head}?>{doctype}{rest.replace('MARK', '&trust;')}".encode()
            archive.writestr(item, body)
    with pytest.raises(ImportFailure) as failure:
        parse_file("FG4.docx", out.getvalue())
    assert "FG4.docx: the document uses an XML entity (&trust;)" in str(failure.value)
    assert "save it again as .docx" in str(failure.value)


def test_webvtt_and_subrip_keep_timestamps():
    vtt = parse_file("fg.vtt", VTT.encode())
    assert spoken(vtt)[1] == ("Dr Jane Smith", "I think the letters help. They really do.")
    assert spoken(vtt)[2] == ("P3", "Not for me ☕ café.")
    srt = parse_file("fg.srt", SRT.encode())
    assert spoken(srt) == [
        ("MODERATOR", "How did you hear about it?"),
        ("Speaker 2", "From my GP. And then a leaflet."),
    ]
    assert (srt.turns[1].timestamp_start_ms, srt.turns[1].timestamp_end_ms) == (3_500, 8_000)


def test_pdf_with_a_text_layer():
    document = parse_file("fg.pdf", pdf_bytes(["Moderator: Hello all.", "P1: Hi (really)."]))
    assert spoken(document) == [("Moderator", "Hello all."), ("P1", "Hi (really).")]


def test_rtf_and_odt():
    rtf = parse_file("fg.rtf", rtf_bytes(["Moderator: Café time.", "P1: It’s fine."]))
    assert spoken(rtf) == [("Moderator", "Café time."), ("P1", "It’s fine.")]
    odt = parse_file("fg.odt", odt_bytes(["Moderator: Hi.", "P1: Yes."], heading="FG2"))
    assert odt.text.startswith("FG2\n\nModerator: Hi.")
    assert spoken(odt) == [("Moderator", "Hi."), ("P1", "Yes.")]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_survey_spreadsheets_become_one_turn_per_answer(fmt):
    rows = [
        ["Respondent ID", "Age band", "What would reassure you?", "Anything else?"],
        ["R1", "25-34", "A letter that explains who sees my records and why.", ""],
        ["R2", "65-74", "Knowing that companies cannot buy the data from the NHS.", "No."],
    ]
    csv = "\n".join(",".join(row) for row in rows).encode()
    data = csv if fmt == "csv" else xlsx_bytes(rows)
    table = parse_file(f"survey.{fmt}", data).table
    columns = default_columns(table)
    assert columns == {
        "respondent": "Respondent ID",
        "text": ["What would reassure you?"],
        "attributes": ["Age band", "Anything else?"],
    }
    document = survey_document(
        table,
        respondent="Respondent ID",
        text_columns=["What would reassure you?", "Anything else?"],
        source_format=fmt,
    )
    assert spoken(document) == [
        ("R1", rows[1][2]),
        ("R2", rows[2][2]),
        ("R2", "No."),
    ]
    assert "## Anything else?" in document.text


def test_survey_answers_that_look_like_formulas_are_kept_as_the_words_typed():
    csv = (
        b"Respondent,Answer\n"
        b'R1,"=HYPERLINK(""http://x"",""click"")"\n'
        b"R2,-1 for apps and +1 for letters\n"
        b"R3,@NHS should ask first\n"
    )
    table = parse_file("survey.csv", csv).table
    document = survey_document(
        table, respondent="Respondent", text_columns=["Answer"], source_format="csv"
    )
    assert spoken(document) == [
        ("R1", '=HYPERLINK("http://x","click")'),
        ("R2", "-1 for apps and +1 for letters"),
        ("R3", "@NHS should ask first"),
    ]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.pages", b"whatever", "notes.pages: unsupported file type .pages"),
        ("README", b"whatever", "README: unsupported file type (no extension)"),
        ("empty.txt", b"", "empty.txt: the file is empty"),
        ("blank.docx", b"  \n", "blank.docx: the file is empty"),
        ("binary.txt", b"\x00\x01\x02abc", "binary.txt: this looks like a binary file"),
        ("odd.txt", b"P1: \x81\x8d\x8f", "odd.txt: could not decode the text"),
        ("broken.docx", b"PK\x03\x04 not really", "broken.docx: not a readable Word document"),
        ("broken.pdf", b"%PDF-1.4 then garbage", "broken.pdf: not a readable PDF"),
        ("scan.pdf", pdf_bytes([]), "scan.pdf: scanned PDF: no text to import"),
        ("broken.odt", b"not a zip", "broken.odt: not a readable OpenDocument text"),
        ("broken.xlsx", b"not a zip", "broken.xlsx: not a readable Excel workbook"),
        ("broken.rtf", b"plain words", "broken.rtf: not an RTF document"),
        ("broken.vtt", b"hello there", "broken.vtt: not a valid WebVTT file"),
        ("headers.csv", b"id,answer\n", "headers.csv: the spreadsheet has a header row but no"),
    ],
)
def test_bad_files_fail_with_a_message_naming_the_file(name, data, message):
    with pytest.raises(ImportFailure) as failure:
        parse_file(name, data)
    assert str(failure.value).startswith(message)


def test_zip_entries_with_unsafe_paths_and_nested_zips_are_refused_one_by_one():
    data = zip_bytes(
        {
            "groups/FG1.txt": "P1: Fine.",
            "../escape.txt": "P1: Out.",
            "/etc/passwd.txt": "P1: Abs.",
            "inner.zip": zip_bytes({"a.txt": "P1: Deep."}),
            "__MACOSX/groups/._FG1.txt": "junk",
            "groups/.DS_Store": "junk",
        }
    )
    entries = {e.name: e for e in expand("upload.zip", data)}
    assert entries["upload.zip/groups/FG1.txt"].data == b"P1: Fine."
    assert "unsafe path" in entries["upload.zip/../escape.txt"].error
    assert "unsafe path" in entries["upload.zip/etc/passwd.txt"].error
    assert "nested zip" in entries["upload.zip/inner.zip"].error
    assert len(entries) == 4  # the Mac resource fork and .DS_Store are skipped


def test_a_zip_bomb_is_refused_by_its_total_size(settings):
    settings.FG_MAX_ZIP_TOTAL_BYTES = 1_000_000
    data = zip_bytes({"a.txt": "P1: " + "a" * 600_000, "b.txt": "P1: " + "b" * 600_000})
    with pytest.raises(ImportFailure, match=r"bomb.zip: would expand to .*\(possible zip bomb\)"):
        expand("bomb.zip", data)


def test_an_entry_compressed_past_the_ratio_limit_is_refused(settings):
    settings.FG_MAX_ZIP_RATIO = 50
    data = zip_bytes({"ok.txt": "P1: fine", "bomb.txt": "P1: " + "z" * 500_000})
    entries = {e.name: e for e in expand("up.zip", data)}
    assert entries["up.zip/ok.txt"].data == b"P1: fine"
    assert "up.zip/bomb.txt: compressed" in entries["up.zip/bomb.txt"].error
    assert "zip bomb" in entries["up.zip/bomb.txt"].error


def test_an_entry_over_the_size_limit_is_refused(settings):
    settings.FG_MAX_UPLOAD_BYTES = 1000
    entries = expand("up.zip", zip_bytes({"big.txt": "P1: " + "word " * 400}))
    assert "up.zip/big.txt:" in entries[0].error and "over the size limit" in entries[0].error


def test_a_file_that_is_not_a_zip_is_refused():
    with pytest.raises(ImportFailure, match="fake.zip: not a readable zip archive"):
        expand("fake.zip", b"this is not a zip")


def test_a_zip_that_lies_about_its_sizes_is_stopped_while_reading(settings):
    settings.FG_MAX_UPLOAD_BYTES = 1000
    data = bytearray(zip_bytes({"liar.txt": "P1: " + "x " * 2000}))
    # Rewrite the central directory's uncompressed size to claim 10 bytes.
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.infolist()[0]
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    entries = expand("liar.zip", bytes(data))
    assert entries[0].error and "liar.zip/liar.txt" in entries[0].error
    assert info.file_size > 1000


CENTRAL_EUROPEAN = (
    "Moderator: Witamy wszystkich. Co sądzicie o udostępnianiu danych?\n\n"
    "P1: Zażółć gęślą jaźń. Łukasz mówi, że to ważne, ale boi się wycieku."
)


def test_a_cp1250_transcript_is_decoded_as_windows_1250_and_says_so():
    document = parse_file("fg.txt", CENTRAL_EUROPEAN.encode("cp1250"))
    assert document.encoding == "cp1250"
    assert document.text.startswith("Moderator: Witamy wszystkich. Co sądzicie")
    assert "Łukasz mówi, że to ważne" in document.text
    assert "Windows-1250" in document.warnings[0]
    assert [t.speaker for t in document.turns] == ["Moderator", "P1"]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_a_utf16_transcript_without_a_byte_order_mark_is_decoded(codec):
    text = "Facilitator: Welcome.\n\nP1: Definitely letter. Zoë said so."
    document = parse_file("fg.txt", text.encode(codec))
    assert document.text == text
    assert "without a byte-order mark" in document.warnings[0]
    assert [t.speaker for t in document.turns] == ["Facilitator", "P1"]


def test_english_windows_1252_with_smart_quotes_stays_windows_1252():
    text = "P1: I think the café owners should know – it’s “our” data. Naïve, maybe."
    document = parse_file("fg.txt", text.encode("cp1252"))
    assert document.encoding == "cp1252" and document.text == text


def test_unwrap_joins_lines_broken_mid_sentence_and_nothing_else():
    from transcripts.importers.unwrap import unwrap, wrapped_breaks

    text = (
        "Facilitator: Welcome.\n\nP1: I think people should be given clear\n\ninformation about"
        " it\nand a choice.\n\nP2: Yes.\nAnother sentence."
    )
    assert wrapped_breaks(text) == 2
    assert unwrap(text) == (
        "Facilitator: Welcome.\n\nP1: I think people should be given clear information about"
        " it and a choice.\n\nP2: Yes.\nAnother sentence."
    )
