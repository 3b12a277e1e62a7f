"""Importing REFI-QDA files: text handling, and every kind of bad input creates nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import override_settings

from coding.models import AuditEvent, Code, Coding
from coding.refi.services import qdpx_import
from coding.refi.xml import RefiError
from tests.coding.refi_support import make_qdpx
from transcripts.models import Project

pytestmark = pytest.mark.django_db

U1 = "11111111-1111-1111-1111-111111111111"
C1 = "22222222-2222-2222-2222-222222222222"
C2 = "22222222-2222-2222-2222-333333333333"
S1 = "44444444-4444-4444-4444-444444444444"


def qde(selections: str = "", *, source: str = "", codes: str = "", extra: str = "") -> str:
    source = source or (
        f'<TextSource guid="{S1}" name="FG1" plainTextPath="internal://{S1}.txt">'
        f"{selections}</TextSource>"
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="Handmade">'
        f'<Users><User guid="{U1}" name="Ana"/></Users>'
        f'<CodeBook><Codes><Code guid="{C1}" name="Trust" isCodable="true" color="#0a0">'
        f'<Code guid="{C2}" name="Doubt" isCodable="true"/></Code>{codes}</Codes></CodeBook>'
        f"<Sources>{source}</Sources>{extra}</Project>"
    )


def selection(start: int, end: int, code: str = C1, guid: str = "5" * 8) -> str:
    guid = f"{guid}-5555-5555-5555-{start:06d}{end:06d}"
    return (
        f'<PlainTextSelection guid="{guid}" startPosition="{start}" endPosition="{end}" '
        f'creatingUser="{U1}"><Coding guid="6{guid[1:]}" creatingUser="{U1}">'
        f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
    )


def run(user, data: bytes) -> dict:
    return qdpx_import(data=data, filename="fg.qdpx", user=user)


def test_a_leading_bom_is_stripped_before_counting_and_crlf_is_remapped(user):
    raw = "\ufeffLine one\r\nCafe\u0301 talk 🙂 here\r\nEnd"
    start = raw[1:].index("Cafe")
    end = raw[1:].index(" here")
    data = make_qdpx(qde(selection(start, end)), {f"sources/{S1}.txt": raw.encode("utf-8")})
    report = run(user, data)
    coding = Coding.objects.get()
    assert coding.transcript.text == "Line one\nCafé talk 🙂 here\nEnd"
    assert coding.text == "Café talk 🙂"
    assert coding.text == coding.transcript.text[coding.start : coding.end]
    assert "Source 'FG1': 1 selection(s) got new offsets" in report["notes"][0]


def test_a_selection_splitting_a_joined_character_is_widened_and_reported(user):
    raw = "Cafe\u0301 au lait"
    data = make_qdpx(qde(selection(0, 4)), {f"sources/{S1}.txt": raw})
    report = run(user, data)
    assert Coding.objects.get().text == "Café"
    assert any("split a character" in line for line in report["notes"])


@pytest.mark.parametrize(
    "path", [f"internal://{S1.upper()}.TXT", f"{S1}.txt", f"internal://{S1}.txt"]
)
def test_source_files_are_found_case_insensitively_with_or_without_prefix(user, path):
    source = f'<TextSource guid="{S1}" name="FG1" plainTextPath="{path}">'
    source += f"{selection(0, 5)}</TextSource>"
    run(user, make_qdpx(qde(source=source), {f"Sources/{S1}.txt": "Hello world"}))
    assert Coding.objects.get().text == "Hello"


def test_inline_text_content_is_imported_with_paragraph_turns(user):
    source = (
        f'<TextSource guid="{S1}" name="Inline"><PlainTextContent>First para.\n\nSecond one.'
        f"</PlainTextContent>{selection(13, 19, code=C2)}</TextSource>"
    )
    report = run(user, make_qdpx(qde(source=source)))
    coding = Coding.objects.get()
    assert (coding.text, coding.code.name, coding.code.parent.name) == ("Second", "Doubt", "Trust")
    assert [t.text for t in coding.transcript.turns.all()] == ["First para.", "Second one."]
    assert report["transcripts"] == 1
    assert AuditEvent.objects.filter(action="import", object_type="coding").count() == 1


def test_imported_text_with_speaker_labels_gets_speaker_turns(user):
    text = "Moderator: How do you feel?\n\nP3: Definitely letter.\nA letter, not a call."
    source = (
        f'<TextSource guid="{S1}" name="FG3"><PlainTextContent>{text}</PlainTextContent>'
        "</TextSource>"
    )
    run(user, make_qdpx(qde(source=source)))
    turns = list(Project.objects.get().transcripts.get().turns.order_by("order"))
    assert [(t.speaker_label, t.is_facilitator, t.text) for t in turns] == [
        ("Moderator", True, "How do you feel?"),
        ("P3", False, "Definitely letter.\nA letter, not a call."),
    ]


def test_the_importing_user_is_matched_by_name_and_owns_the_project(user):
    user.first_name = "Ana"
    user.save()
    source = f'<TextSource guid="{S1}" name="I"><PlainTextContent>Hello world</PlainTextContent>'
    source += f"{selection(0, 5)}</TextSource>"
    report = run(user, make_qdpx(qde(source=source)))
    assert Coding.objects.get().coder == user
    assert report["coders_created"] == []
    project = Project.objects.get()
    assert project.memberships.get().user == user


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(zipfile.ZipInfo(name), content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def nothing_created() -> bool:
    return not Project.objects.exists() and not Code.objects.exists()


BAD = {
    "not a zip": (b"just some text", "not a zip archive"),
    "no qde": (
        _zip({"sources/a.txt": b"x"}),
        "has no project.qde",
    ),
    "schema": (make_qdpx('<Project xmlns="urn:QDA-XML:project:1.0"/>'), "schema"),
    "xml syntax": (make_qdpx("<Project"), "not well-formed"),
    "dtd": (
        make_qdpx(
            '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa">]>'
            '<Project xmlns="urn:QDA-XML:project:1.0" name="x">&a;</Project>'
        ),
        "DTD",
    ),
    "missing code": (
        make_qdpx(
            qde(selection(0, 3, code="99999999-9999-9999-9999-999999999999")),
            {f"sources/{S1}.txt": "Hello"},
        ),
        "no Code with that GUID",
    ),
    "outside": (
        make_qdpx(qde(selection(2, 50)), {f"sources/{S1}.txt": "Hello"}),
        "outside the text (0-5)",
    ),
    "duplicate": (
        make_qdpx(
            qde(codes=f'<Code guid="{C2}" name="Again" isCodable="true"/>'),
            {f"sources/{S1}.txt": "Hello"},
        ),
        f"the GUID {C2} is used twice",
    ),
    "traversal": (
        _zip({"project.qde": qde().encode(), "../evil.txt": b"x"}),
        "a path outside the archive",
    ),
    "absolute": (
        _zip({"project.qde": qde().encode(), "/etc/evil.txt": b"x"}),
        "a path outside the archive",
    ),
    "bomb": (
        _zip({"project.qde": qde().encode(), f"sources/{S1}.txt": b"\0" * (20 << 20)}),
        "zip bomb",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_refused_with_a_clear_message_and_creates_nothing(user, case):
    data, message = BAD[case]
    with pytest.raises(RefiError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(user, data)
    assert nothing_created()


def test_a_total_size_over_the_limit_is_refused(user):
    data = make_qdpx(qde(), {f"sources/{S1}.txt": "x" * 5000})
    limit = override_settings(FG_REFI_MAX_UNCOMPRESSED_BYTES=4000)
    with limit, pytest.raises(RefiError, match="unpacks to more than"):
        run(user, data)
    assert nothing_created()


def test_a_failure_while_writing_rolls_everything_back(user, monkeypatch):
    from coding.refi import services

    def explode(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "guids_keep", explode)
    data = make_qdpx(qde(selection(0, 5)), {f"sources/{S1}.txt": "Hello world"})
    with pytest.raises(RuntimeError):
        run(user, data)
    assert nothing_created() and not Coding.objects.exists()


def test_a_pdf_source_imports_its_plain_text_representation_and_reports_area_selections(user):
    rep = "77777777-7777-7777-7777-777777777777"
    source = (
        '<PDFSource guid="88888888-8888-8888-8888-888888888888" name="Leaflet.pdf" '
        'path="internal://88888888-8888-8888-8888-888888888888.pdf">'
        '<PDFSelection guid="99999999-9999-9999-9999-999999999999" page="0" firstX="1" '
        f'firstY="1" secondX="9" secondY="9"><Coding guid="{"a" * 8}-aaaa-aaaa-aaaa-{"a" * 12}">'
        f'<CodeRef targetGUID="{C1}"/></Coding></PDFSelection>'
        f'<Representation guid="{rep}" plainTextPath="internal://{rep}.txt">'
        f"{selection(0, 7)}</Representation></PDFSource>"
    )
    report = run(user, make_qdpx(qde(source=source), {f"sources/{rep}.txt": "Consent matters."}))
    coding = Coding.objects.get()
    assert (coding.transcript.name, coding.text) == ("Leaflet.pdf", "Consent")
    assert "1 area selection(s) with 1 coding(s) are not imported" in report["not_imported"][0]


def test_sources_with_the_same_text_become_one_transcript_with_all_codings(user):
    other = "12121212-1212-1212-1212-121212121212"
    source = (
        f'<TextSource guid="{S1}" name="A"><PlainTextContent>Same words</PlainTextContent>'
        f"{selection(0, 4)}</TextSource>"
        f'<TextSource guid="{other}" name="B"><PlainTextContent>Same words</PlainTextContent>'
        f"{selection(5, 10, guid='56565656')}</TextSource>"
    )
    report = run(user, make_qdpx(qde(source=source)))
    assert report["transcripts"] == 1
    assert sorted(Coding.objects.values_list("text", flat=True)) == ["Same", "words"]
    assert "Source 'B' has the same text as 'A'" in report["notes"][0]


def test_sibling_codes_with_one_name_are_renamed_and_reported(user):
    codes = '<Code guid="abababab-abab-abab-abab-abababababab" name="Trust" isCodable="false"/>'
    report = run(user, make_qdpx(qde(codes=codes), {f"sources/{S1}.txt": "Hello"}))
    assert sorted(Code.objects.filter(parent=None).values_list("name", flat=True)) == [
        "Trust",
        "Trust (2)",
    ]
    assert any("renamed 'Trust (2)'" in line for line in report["notes"])
    assert any("not codable" in line for line in report["notes"])


def test_white_space_selections_are_skipped_and_reported(user):
    data = make_qdpx(qde(selection(5, 7)), {f"sources/{S1}.txt": "Hello  world"})
    report = run(user, data)
    assert not Coding.objects.exists()
    assert "only white space" in report["not_imported"][0]


def test_notes_become_coding_memos_and_a_loose_note_a_project_memo(user):
    note = "abcdabcd-abcd-abcd-abcd-abcdabcdabcd"
    coded = selection(0, 5).replace("</Coding>", f'<NoteRef targetGUID="{note}"/></Coding>')
    opening = f'creatingUser="{U1}">'
    coded = coded.replace(opening, opening + "<Description>Key quote</Description>", 1)
    extra = (
        f'<Notes><Note guid="{note}" name="Why"><PlainTextContent>Because.</PlainTextContent>'
        '</Note><Note guid="cdcdcdcd-cdcd-cdcd-cdcd-cdcdcdcdcdcd" name="Plan">'
        "<PlainTextContent>Interview ten people.</PlainTextContent></Note></Notes>"
    )
    report = run(user, make_qdpx(qde(coded, extra=extra), {f"sources/{S1}.txt": "Hello"}))
    assert Coding.objects.get().memo == "Key quote\n\nBecause."
    assert report["memos"] == 1
    from coding.models import Memo

    memo = Memo.objects.get()
    assert (memo.about, memo.title, memo.text) == ("project", "Plan", "Interview ten people.")
    assert any("1 note(s) became memos" in line for line in report["notes"])


def test_cases_and_typed_variables_become_participants_with_attributes(user):
    age, carer, joined = (f"{d * 8}-0000-0000-0000-000000000000" for d in "def")
    extra_vars = (
        f'<Variables><Variable guid="{age}" name="Age" typeOfVariable="Integer"/>'
        f'<Variable guid="{carer}" name="Carer" typeOfVariable="Boolean"/>'
        f'<Variable guid="{joined}" name="Site" typeOfVariable="Text"/></Variables>'
        '<Cases><Case guid="10101010-1010-1010-1010-101010101010" name="P7">'
        "<Description>Quiet</Description>"
        f'<VariableValue><VariableRef targetGUID="{age}"/><IntegerValue>42</IntegerValue>'
        f'</VariableValue><VariableValue><VariableRef targetGUID="{carer}"/>'
        "<BooleanValue>true</BooleanValue></VariableValue></Case></Cases>"
    )
    text = qde(
        source=f'<TextSource guid="{S1}" name="FG9"><PlainTextContent>Hi</PlainTextContent>'
        f'<VariableValue><VariableRef targetGUID="{joined}"/><TextValue>Leeds</TextValue>'
        "</VariableValue></TextSource>"
    ).replace("</CodeBook>", "</CodeBook>" + extra_vars)
    run(user, make_qdpx(text))
    project = Project.objects.get()
    p7 = project.participants.get(label="P7")
    assert p7.notes == "Quiet"
    values = {v.attribute.name: (v.attribute.type, v.value) for v in p7.attribute_values.all()}
    assert values == {"Age": ("number", "42"), "Carer": ("choice", "true")}
    assert project.transcripts.get().site == "Leeds"


def test_a_failed_background_import_shows_why(user, project):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from coding.tasks import qdpx_import_task
    from jobs.services import job_create

    path = default_storage.save("refi-imports/bad.qdpx", ContentFile(b"not a zip"))
    job = job_create(
        project=project,
        kind="coding.refi_import",
        user=user,
        params={"path": path, "filename": "x.qdpx"},
    )
    qdpx_import_task(job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "x.qdpx is not a REFI-QDA project" in job.error
    assert not default_storage.exists(path)
    assert not project.transcripts.exists()


def test_a_coding_of_a_whole_source_imports_and_exports_without_a_guid_clash(user):
    from coding.refi.services import project_qdpx_bytes
    from tests.coding.refi_support import assert_valid_qdpx

    whole = f'<Coding guid="{"b" * 8}-bbbb-bbbb-bbbb-{"b" * 12}">'
    whole += f'<CodeRef targetGUID="{C1}"/></Coding>'
    source = f'<TextSource guid="{S1}" name="A"><PlainTextContent> All of it </PlainTextContent>'
    run(user, make_qdpx(qde(source=source + whole + "</TextSource>")))
    coding = Coding.objects.get()
    assert coding.text == " All of it "
    again = project_qdpx_bytes(project=coding.transcript.project)
    assert_valid_qdpx(again)
    run(user, again)  # our own export passes our duplicate-GUID check
    assert Coding.objects.count() == 2


def test_a_selection_whose_name_quotes_other_words_is_flagged(user):
    raw = "We trust the letter. Nobody reads the leaflet."
    named = selection(0, 8).replace("startPosition=", 'name="Nobody reads the…" startPosition=')
    report = run(user, make_qdpx(qde(named), {f"sources/{S1}.txt": raw}))
    assert Coding.objects.get().text == "We trust"
    assert any("may count differently" in line for line in report["notes"])
    quiet = selection(21, 40).replace("startPosition=", 'name="Nobody reads…" startPosition=')
    report = run(user, make_qdpx(qde(quiet), {f"sources/{S1}.txt": raw}))
    assert not any("may count differently" in line for line in report["notes"])
