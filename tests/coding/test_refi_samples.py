"""Every sample in ../shared/refi-qda/samples imports, with what it contains."""

from __future__ import annotations

import io
import zipfile

import pytest

from coding.models import Code, Coding
from coding.refi.services import qdpx_import
from coding.selectors.codes import code_tree
from tests.coding.refi_support import shared_dir
from transcripts.models import Membership

pytestmark = pytest.mark.django_db


def load(name: str) -> bytes:
    return (shared_dir() / "samples" / name).read_bytes()


def test_every_sample_in_the_shared_folder_imports(user):
    names = sorted(path.name for path in (shared_dir() / "samples").glob("*.qdpx"))
    assert len(names) >= 3
    for name in names:
        report = qdpx_import(data=load(name), filename=name, user=user)
        assert report["codes"] > 0, name


def test_qc_sample_brings_its_texts_tree_and_codings_with_the_right_words(user):
    report = qdpx_import(data=load("qc-1.3.2_demo.qdpx"), filename="qc.qdpx", user=user)
    project = Membership.objects.get(user=user, project_id=report["project_id"]).project
    assert project.name == "qc project"
    assert sorted(project.transcripts.values_list("name", flat=True)) == ["admin-1", "board_2017"]
    board = project.transcripts.get(name="board_2017")
    assert board.text.startswith((load_text("board_2017.txt"))[:200])
    themes = [node.code.name for node in code_tree(project=project)]
    assert themes[:3] == ["rq1_definition", "rq2_curriculum_and_instruction", "rq3_process"]
    assert Code.objects.filter(project=project).count() == 262
    fun = Code.objects.get(project=project, name="fun", parent__name="pedagogy")
    assert fun.parent.parent.name == "rq2_curriculum_and_instruction"
    codings = Coding.objects.filter(transcript=board)
    qde = zipfile.ZipFile(io.BytesIO(load("qc-1.3.2_demo.qdpx"))).read("project.qde")
    assert codings.count() == report["codings"] == qde.count(b"<Coding ") == 205
    first = codings.order_by("start").first()
    raw = load_text("board_2017.txt")
    assert (first.start, first.end) == (320, 400)
    assert first.text == raw[320:400] == board.text[320:400]
    assert first.code == fun
    assert all(c.text == board.text[c.start : c.end] for c in codings)
    assert {c.coder.first_name for c in codings} == {"cp"}
    assert not codings.first().coder.is_active


def load_text(name: str) -> str:
    archive = zipfile.ZipFile(io.BytesIO(load("qc-1.3.2_demo.qdpx")))
    return archive.read(f"sources/{name}").decode()


def test_nvivo_sample_has_a_nested_codebook_and_no_text(user):
    report = qdpx_import(data=load("nvivo-mac-15_nvivo_project.qdpx"), filename="n.qdpx", user=user)
    project_id = report["project_id"]
    assert report["codes"] == 262
    assert report["transcripts"] == 0 and report["codings"] == 0
    assert sum("has no text: skipped" in line for line in report["not_imported"]) == 2
    citizenship = Code.objects.filter(project_id=project_id, name="citizenship")
    paths = set()
    for code in citizenship:
        names, node = [], code
        while node:
            names.append(node.name)
            node = node.parent
        paths.add(" > ".join(reversed(names)))
    assert "rq1_definition > rationales > cs_literacy > digital_citizenship > citizenship" in paths
    assert len(paths) == 3


def test_atlas_sample_without_source_files_keeps_codes_and_reports_every_source(user):
    report = qdpx_import(
        data=load("atlasti-8.4_standard-project_TestProject.qdpx"), filename="a.qdpx", user=user
    )
    assert report["transcripts"] == 0
    names = set(Code.objects.filter(project_id=report["project_id"]).values_list("name", flat=True))
    assert {"Coke", "Coke::diet Coke", "cornflakes", '"rushed"'} <= names
    coke = Code.objects.get(project_id=report["project_id"], name="Coke::diet Coke")
    assert (coke.definition, coke.colour) == ("non sucré", "#966450")
    lines = "\n".join(report["not_imported"])
    assert "'Mabel.txt': its text (internal://B2F54555" in lines
    assert "picture sources are not imported" in lines
    assert "4 area selection(s)" in lines
    assert "audio sources are not imported" in lines
    assert "16 set(s)" in lines and "1 link(s)" in lines and "1 graph(s)" in lines
    project = Membership.objects.get(user=user, project_id=report["project_id"]).project
    memos = {memo.title: memo for memo in project.memos.all()}
    assert memos["Research Plan"].about == "project"
    assert memos["Research Plan"].text.startswith("This is a great project")


def test_current_qualcoder_export_imports_whole(user):
    """Written by QualCoder 4.0b's own exporter (SOURCES.md): creator GUIDs it does not declare,
    one selection per coding, cases named like the speakers and linked to no source."""
    from transcripts.models import Turn

    report = qdpx_import(
        data=load("qualcoder-4.0b-c3204641_export.qdpx"), filename="qc4.qdpx", user=user
    )
    project = Membership.objects.get(user=user, project_id=report["project_id"]).project
    assert sorted(project.transcripts.values_list("name", flat=True)) == ["FG3", "FG4"]
    assert project.transcripts.get(name="FG3").site == "Leeds, West Yorks"
    paths = {
        " > ".join(filter(None, [c.parent.name if c.parent else "", c.name]))
        for c in Code.objects.filter(project=project)
    }
    assert {
        "Communication > Letters & leaflets",
        "Digital > Texts 🙂",
        "Access to records",
    } <= paths
    codings = Coding.objects.filter(transcript__project=project).select_related("coder", "code")
    assert report["codings"] == codings.count() == 8
    assert all(c.text == c.transcript.text[c.start : c.end] for c in codings)
    by_text = {(c.text[:18], c.code.name, c.coder.first_name) for c in codings}
    assert ("Definitely letter.", "Letters & leaflets", "Dana Moss") in by_text
    assert ("Texts are fine 🙂 b", "Texts 🙂", "bob") in by_text
    assert {c.coder.first_name for c in codings} == {"Dana Moss", "alice", "bob"}
    # QualCoder read none of our memos when it imported them, so its export carries none
    assert report["memos"] == 0
    assert any("not declared as Users" in line for line in report["notes"])
    # the cases P1..P6 are participants, and the speakers P1, P2, P3 in the text are them
    assert sorted(project.participants.values_list("label", flat=True)) == [
        f"P{n}" for n in range(1, 7)
    ]
    linked = set(
        Turn.objects.filter(transcript__project=project, participant__isnull=False).values_list(
            "speaker_label", "participant__label"
        )
    )
    assert {("P1", "P1"), ("P2", "P2"), ("P3", "P3")} <= linked
    assert all(speaker == label for speaker, label in linked)
    p1 = project.participants.get(label="P1")
    assert dict(p1.attribute_values.values_list("attribute__name", "value"))["Gender"] == "female"
