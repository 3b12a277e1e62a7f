from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from tests.factories import ProjectFactory, TranscriptFactory
from tests.transcripts.files import VTT, docx_bytes, zip_bytes
from transcripts.models import ImportBatch

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_transcripts", *args, stdout=out)
    return out.getvalue()


def test_imports_a_folder_with_defaults_and_reports_each_file(tmp_path, user):
    project = ProjectFactory(name="Consent study")
    (tmp_path / "FG1.txt").write_text("Moderator: Hi.\n\nP1: Hello.")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "FG2.docx").write_bytes(docx_bytes(["Facilitator: Hi.", "P2: Yes."]))
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 nonsense")
    output = run("Consent study", str(tmp_path), "--site", "Leeds", "--user", user.username)
    assert "imported  FG1.txt as FG1: 2 turns, 1 speakers and a facilitator" in output
    assert "imported  sub/FG2.docx as FG2" in output
    assert "failed    broken.pdf: not a readable PDF" in output
    assert "Imported 2, skipped 0 duplicate(s), 1 failed." in output
    assert set(project.transcripts.values_list("site", flat=True)) == {"Leeds"}
    assert project.transcripts.get(name="FG1").created_by == user


def test_imports_a_zip_and_skips_duplicates(tmp_path):
    project = ProjectFactory()
    TranscriptFactory(project=project, name="Old", text="P1: Same.")
    archive = tmp_path / "groups.zip"
    archive.write_bytes(zip_bytes({"FG3.vtt": VTT, "same.txt": "P1: Same."}))
    output = run(str(project.pk), str(archive))
    assert "imported  groups.zip/FG3.vtt as FG3: 3 turns, 2 speakers and a facilitator" in output
    assert "skipped   groups.zip/same.txt: the same text is already in the project as Old" in output


def test_dry_run_imports_nothing(tmp_path):
    project = ProjectFactory()
    (tmp_path / "FG1.txt").write_text("P1: Hello.")
    output = run(str(project.pk), str(tmp_path), "--dry-run")
    assert "would import  FG1.txt as FG1: 1 turns" in output
    assert not project.transcripts.exists() and not ImportBatch.objects.exists()


def test_no_participants_keeps_labels_without_creating_participants(tmp_path):
    project = ProjectFactory()
    (tmp_path / "FG1.txt").write_text("Moderator: Hi.\n\nP1: Hello.")
    run(str(project.pk), str(tmp_path), "--no-participants")
    assert not project.participants.exists()
    assert list(project.transcripts.get().turns.values_list("speaker_label", "is_facilitator")) == [
        ("Moderator", True),
        ("P1", False),
    ]


def test_unknown_project_path_or_user_is_an_error(tmp_path):
    project = ProjectFactory()
    with pytest.raises(CommandError, match="No project 'Nope'"):
        run("Nope", str(tmp_path))
    with pytest.raises(CommandError, match="does not exist"):
        run(str(project.pk), str(tmp_path / "missing"))
    with pytest.raises(CommandError, match="no user called 'ghost'"):
        run(str(project.pk), str(tmp_path), "--user", "ghost")
    with pytest.raises(CommandError, match="holds no files"):
        run(str(project.pk), str(tmp_path))
