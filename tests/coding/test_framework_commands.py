from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from coding.models import AuditEvent, Code
from coding.services.codes import code_create
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_export_then_import_framework_commands_copy_a_framework(project, user, tmp_path, capsys):
    theme = code_create(project=project, user=user, name="Safety", definition="=risky")
    code_create(project=project, user=user, name="Hacking", parent=theme)
    out = tmp_path / "framework.csv"
    call_command("export_framework", str(project.pk), "--out", str(out))
    assert "'=risky" in out.read_text(encoding="utf-8")
    fresh = ProjectFactory(name="Fresh study")
    call_command("import_framework", "Fresh study", str(out), "--user", user.username)
    assert "2 codes created" in capsys.readouterr().out
    hacking = Code.objects.get(project=fresh, name="Hacking")
    assert hacking.parent.name == "Safety"
    assert hacking.parent.definition == "=risky"
    assert AuditEvent.objects.filter(project=fresh, action="import", user=user).count() == 2


def test_import_framework_reports_bad_rows_and_imports_nothing(project, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,colour\nSafety,#fff\n,#000\n", encoding="utf-8")
    with pytest.raises(CommandError, match="bad.csv: Row 3, column name"):
        call_command("import_framework", str(project.pk), str(bad))
    assert not Code.objects.filter(project=project).exists()


def test_framework_commands_name_a_missing_project_or_file(project, tmp_path):
    with pytest.raises(CommandError, match="No project 'Nope'"):
        call_command("export_framework", "Nope")
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_framework", str(project.pk), str(tmp_path / "missing.csv"))


def test_export_framework_writes_to_stdout_by_default(project, user, capsys):
    code_create(project=project, user=user, name="Safety")
    call_command("export_framework", str(project.pk))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "code,name,parent,definition,inclusion,exclusion,example,colour,order"
    assert lines[1].startswith("safety,Safety,,")


def test_export_framework_writes_a_bom_for_excel_or_taguettes_csv(project, user, tmp_path):
    theme = code_create(project=project, user=user, name="Café 📬", definition="Lettres")
    code_create(project=project, user=user, name="Texts", parent=theme)
    excel, tag = tmp_path / "excel.csv", tmp_path / "taguette.csv"
    call_command("export_framework", str(project.pk), "--out", str(excel), "--bom")
    call_command("export_framework", str(project.pk), "--out", str(tag), "--taguette")
    assert excel.read_bytes().startswith(b"\xef\xbb\xbfcode,name,parent,")
    assert "Café 📬" in excel.read_text(encoding="utf-8-sig")
    lines = tag.read_text(encoding="utf-8-sig").splitlines()
    assert lines == ["tag,description", "Café 📬,Lettres", "Café 📬 > Texts,"]
