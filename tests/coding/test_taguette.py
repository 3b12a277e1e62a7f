"""Codebooks through Taguette 1.5.2, the open-source peer: its CSV and QDC come in, and its own
importer reads the CSV we write for it (the `peer` tests run Taguette from .venv-taguette)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from coding.models import Code
from coding.refi.codebook import codebook_import
from coding.services.codebook_csv import framework_import_csv, framework_taguette_csv_text
from coding.services.codes import code_create

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
TAGUETTE = Path(os.environ.get("TAGUETTE_PYTHON", ROOT / ".venv-taguette" / "bin" / "python"))


def taguette(script: str, *args: str) -> str:
    if not TAGUETTE.exists():
        pytest.skip(f"Taguette is not installed at {TAGUETTE} (make taguette)")
    result = subprocess.run(
        [str(TAGUETTE), "-c", script, *args], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def framework(project, user):
    theme = code_create(
        project=project,
        user=user,
        name="Communication 📬",
        definition="How people want to be told, in their words: «letters», leaflets.",
        inclusion="Channels, tone",
        example="Definitely letter.",
    )
    code_create(project=project, user=user, name="Texts 🙂", parent=theme, definition="SMS")
    code_create(project=project, user=user, name="=Formula?", definition="-1 looks like a sum")
    return theme


def test_taguettes_codebook_csv_imports_with_its_descriptions(project, user):
    data = (
        b"tag,description,number of highlights\r\n"
        b"Trust,Who people trust with data,4\r\n"
        b'Opting out,"Knowing how to opt out, and what it covers",0\r\n'
    )
    result = framework_import_csv(project=project, user=user, data=data, filename="codebook.csv")
    assert result.created == 2
    assert "Ignored columns: number of highlights." in result.warnings
    trust = Code.objects.get(project=project, name="Trust")
    assert trust.definition == "Who people trust with data"


def test_the_csv_for_taguette_comes_back_as_the_same_tree_and_fields(project, user, client):
    framework(project, user)
    text = framework_taguette_csv_text(project=project)
    assert text.startswith("\ufeff") and text.splitlines()[0] == "\ufefftag,description"
    from transcripts.models import Project

    copy = Project.objects.create(name="Copy")
    framework_import_csv(project=copy, user=user, data=text.encode(), filename="t.csv")
    sub = Code.objects.get(project=copy, name="Texts 🙂")
    assert sub.parent.name == "Communication 📬" and sub.definition == "SMS"
    theme = sub.parent
    assert theme.inclusion == "Channels, tone" and theme.example == "Definitely letter."
    assert Code.objects.filter(project=copy, name="=Formula?", parent=None).exists()


@pytest.mark.peer
def test_taguettes_own_importer_reads_our_csv_with_descriptions_and_emoji(project, user):
    framework(project, user)
    data = framework_taguette_csv_text(project=project).encode("utf-8")
    script = (
        "import io, json, sys\n"
        "from taguette.import_codebook import list_tags\n"
        "print(json.dumps(list_tags(io.BytesIO(open(sys.argv[1], 'rb').read()))))\n"
    )
    path = Path(project.pk and os.environ.get("TMPDIR", "/tmp")) / f"taguette-{project.pk}.csv"
    path.write_bytes(data)
    try:
        tags = json.loads(taguette(script, str(path)))
    finally:
        path.unlink()
    by_path = {tag["path"]: tag["description"] for tag in tags}
    assert set(by_path) == {
        "Communication 📬",
        "Communication 📬 > Texts 🙂",
        "'=Formula?",
    }
    assert by_path["Communication 📬"].startswith("How people want to be told, in their words: «")
    assert "Inclusion criteria: Channels, tone" in by_path["Communication 📬"]
    assert by_path["Communication 📬 > Texts 🙂"] == "SMS"


@pytest.mark.peer
def test_a_codebook_written_by_taguettes_own_exporter_imports_and_says_why_sets_went(project, user):
    script = (
        "import io, sys\n"
        "from types import SimpleNamespace as T\n"
        "from taguette.export import codebook_xml\n"
        "tags = [T(path='Trust 🔒', description='Who people trust'), T(path='Opting out',"
        " description='')]\n"
        "out = io.BytesIO(); codebook_xml(tags, out); sys.stdout.write(out.getvalue().decode())\n"
    )
    qdc = taguette(script).encode()
    assert b"<Sets></Sets>" in qdc or b"<Sets/>" in qdc
    report = codebook_import(project=project, user=user, data=qdc, filename="taguette.qdc")
    assert report["added"] == 2
    assert any("empty <Sets/> (as Taguette writes it)" in note for note in report["notes"])
    # Taguette's QDC carries names only (its CSV carries the descriptions)
    assert Code.objects.get(project=project, name="Trust 🔒").definition == ""
