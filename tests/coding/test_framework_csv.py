from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from coding.models import AuditEvent, Code
from coding.selectors.codes import code_tree_flat
from coding.services.codebook_csv import (
    cell_neutralise,
    cell_restore,
    framework_csv_text,
    framework_import_csv,
)
from coding.services.codes import code_create
from tests.factories import CodeFactory, ProjectFactory

pytestmark = pytest.mark.django_db

EVAL_FRAMEWORK = Path("/work/shared/eval/dev-framework.csv")
FIELDS = ("key", "name", "definition", "inclusion", "exclusion", "example", "colour")


def tree(project) -> list[tuple]:
    return [
        (node.depth, *(getattr(node.code, field) for field in FIELDS))
        for node in code_tree_flat(project=project)
    ]


def import_text(project, user, text: str, **kwargs):
    return framework_import_csv(project=project, user=user, data=text.encode(), **kwargs)


def errors_of(project, user, text: str) -> list[str]:
    with pytest.raises(ValidationError) as info:
        import_text(project, user, text)
    return info.value.messages


@pytest.mark.parametrize(
    ("original", "exported"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+44 20", "'+44 20"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("'=already quoted", "''=already quoted"),
        ("'plain quote", "'plain quote"),
        ("Safety = security", "Safety = security"),
        ("", ""),
    ],
)
def test_formula_cells_are_neutralised_and_restored_exactly(original, exported):
    assert cell_neutralise(original) == exported
    assert cell_restore(exported) == original


def test_export_then_import_into_a_fresh_project_gives_the_same_tree(project, user):
    safety = code_create(
        project=project,
        user=user,
        name="Safety, security",
        definition='Hacking, "human error"\nand leaks',
        inclusion="Any worry about leaks",
        exclusion="=Not consent",
        example="-I don't trust it 😬",
        colour="#112233",
    )
    hacking = code_create(project=project, user=user, name="Hacking", parent=safety)
    code_create(project=project, user=user, name="Ransomware", parent=hacking)
    code_create(project=project, user=user, name="Human error", parent=safety, order=0)
    code_create(project=project, user=user, name="Opting out", order=0)
    text = framework_csv_text(project=project)
    fresh = ProjectFactory()
    result = import_text(fresh, user, text)
    assert result.created == 5
    assert tree(fresh) == tree(project)
    assert tree(fresh)[0][2] == "Opting out"
    assert framework_csv_text(project=fresh) == text


def test_codes_without_keys_export_their_parent_as_a_name_path(project, user):
    theme = CodeFactory(project=project, name="Safety", key="")
    CodeFactory(project=project, name="Hacking", key="", parent=theme)
    rows = list(csv.reader(io.StringIO(framework_csv_text(project=project))))
    assert [(row[0], row[1], row[2]) for row in rows[1:]] == [
        ("", "Safety", ""),
        ("", "Hacking", "Safety"),
    ]
    fresh = ProjectFactory()
    import_text(fresh, user, framework_csv_text(project=project))
    assert [(depth, key, name) for depth, key, name, *_ in tree(fresh)] == [
        (0, "safety", "Safety"),
        (1, "hacking", "Hacking"),
    ]


def test_export_neutralises_formula_cells_for_spreadsheets(project, user):
    code_create(project=project, user=user, name='=HYPERLINK("http://x")', definition="@SUM")
    rows = list(csv.reader(io.StringIO(framework_csv_text(project=project))))
    assert rows[0] == [
        "code",
        "name",
        "parent",
        "definition",
        "inclusion",
        "exclusion",
        "example",
        "colour",
        "order",
    ]
    assert rows[1][1] == '\'=HYPERLINK("http://x")'
    assert rows[1][3] == "'@SUM"


def test_formula_looking_cells_in_an_import_are_kept_as_text(project, user):
    import_text(project, user, 'name,definition\n"=1+1",+cmd|calc\n')
    code = Code.objects.get(project=project)
    assert (code.name, code.definition) == ("=1+1", "+cmd|calc")


def test_the_evaluation_framework_imports_with_its_keys(project, user):
    result = framework_import_csv(
        project=project, user=user, data=EVAL_FRAMEWORK.read_bytes(), filename="dev.csv"
    )
    with EVAL_FRAMEWORK.open(newline="") as handle:
        expected = list(csv.DictReader(handle))
    assert result.created == len(expected)
    codes = code_tree_flat(project=project)
    assert [(n.code.key, n.code.name, n.code.definition) for n in codes] == [
        (row["code"], row["name"], row["definition"]) for row in expected
    ]
    assert all(node.depth == 0 for node in codes)


def test_parents_can_be_given_by_key_by_name_or_by_path(project, user):
    import_text(
        project,
        user,
        "code,name,parent\n"
        "safety,Safety,\n"
        "hack,Hacking,safety\n"
        ",Ransomware,Safety > Hacking\n"
        ",Phishing,Hacking\n"
        ",Errors,Safety\n",
    )
    assert [(depth, key, name) for depth, key, name, *_ in tree(project)] == [
        (0, "safety", "Safety"),
        (1, "hack", "Hacking"),
        (2, "ransomware", "Ransomware"),
        (2, "phishing", "Phishing"),
        (1, "errors", "Errors"),
    ]


def test_a_child_row_may_come_before_its_parent(project, user):
    import_text(project, user, "code,name,parent\nh,Hacking,s\ns,Safety,\n")
    assert [(d, name) for d, _, name, *_ in tree(project)] == [(0, "Safety"), (1, "Hacking")]


def test_semicolon_separated_files_with_a_bom_and_aliases_import(project, user):
    data = "\ufeffKey;Name;Color;Description\nsafe;Safety;#abc;Keeping data safe\n".encode()
    framework_import_csv(project=project, user=user, data=data)
    code = Code.objects.get(project=project)
    assert (code.key, code.name, code.colour, code.definition) == (
        "safe",
        "Safety",
        "#aabbcc",
        "Keeping data safe",
    )


def test_windows_1252_files_import_with_a_warning(project, user):
    data = "name,definition\nCaf\xe9,Cr\xe8me\n".encode("cp1252")
    result = framework_import_csv(project=project, user=user, data=data, filename="old.csv")
    assert Code.objects.get(project=project).name == "Café"
    assert "read as Windows-1252" in result.warnings[0]


def test_unknown_columns_are_ignored_and_reported(project, user):
    result = import_text(project, user, "name,owner\nSafety,Ann\n")
    assert result.warnings == ["Ignored columns: owner."]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,definition\nSafety,ok\n,no name\n", "Row 3, column name: a code needs a name."),
        ("name,parent\nSafety,\nHacking,Nowhere\n", "Row 3, column parent: unknown parent"),
        ("code,name,parent\na,A,b\nb,B,a\n", "column parent: the parents given make the tree"),
        ("name,parent\nA,B\nB,A\n", "Row 2, column parent: the parents given make the tree"),
        ("name,parent\nSafety,\nHacking,Safety\nhacking,Safety\n", "'Hacking' appears twice"),
        ("name\nSafety\nSafety\n", "appears twice at the top level (rows 2, 3)"),
        ("name,colour\nSafety,reddish\n", "Row 2, column colour: 'reddish' is not a colour"),
        ("code,name\nsafe,Safety\nsafe,Security\n", "Row 3, column code: the key 'safe' is"),
        ("code,name\nbad key!,Safety\n", "Row 2, column code: 'bad key!' is not a usable key"),
        ("name,order\nSafety,first\n", "Row 2, column order: 'first' is not a whole number"),
        ("code,definition\nx,y\n", "no 'name' column"),
        ("name,name\nA,B\n", "the column 'name' appears twice"),
        ("name\n", "no codes under the header row"),
        ("", "the file is empty"),
        ("name\nA,extra\n", "row 2: more cells than there are columns"),
    ],
)
def test_bad_files_are_refused_with_row_and_column_and_nothing_is_created(
    project, user, text, message
):
    with pytest.raises(ValidationError) as info:
        import_text(project, user, text, filename="codes.csv")
    joined = "\n".join(info.value.messages)
    assert message in joined
    assert joined.startswith("codes.csv")
    assert not Code.objects.filter(project=project).exists()
    assert not AuditEvent.objects.filter(project=project).exists()


def test_a_workbook_uploaded_as_csv_is_refused_clearly(project, user):
    with pytest.raises(ValidationError, match="not CSV"):
        framework_import_csv(project=project, user=user, data=b"PK\x03\x04rest", filename="a.csv")


def test_every_bad_row_is_reported_at_once(project, user):
    messages = errors_of(project, user, "name,colour\n,#fff\nB,nope\nC,#000\n")
    assert [message.split(":")[1].strip() for message in messages] == [
        "Row 2, column name",
        "Row 3, column colour",
    ]


def test_import_into_a_project_with_codes_updates_matches_and_adds_new_ones(project, user):
    safety = code_create(project=project, user=user, name="Safety", definition="Old", key="s")
    hacking = code_create(project=project, user=user, name="Hacking", parent=safety)
    untouched = code_create(project=project, user=user, name="Opting out", definition="Keep me")
    result = import_text(
        project,
        user,
        "code,name,parent,definition\n"
        "s,Data safety,,New definition\n"
        ",Hacking,s,\n"
        ",Leaks,s,Data sent to the wrong person\n",
    )
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    safety.refresh_from_db()
    hacking.refresh_from_db()
    untouched.refresh_from_db()
    assert (safety.name, safety.definition) == ("Data safety", "New definition")
    assert hacking.parent == safety
    assert untouched.definition == "Keep me"
    assert [(d, name) for d, _, name, *_ in tree(project)] == [
        (0, "Data safety"),
        (1, "Hacking"),
        (1, "Leaks"),
        (0, "Opting out"),
    ]
    [update] = AuditEvent.objects.filter(project=project, action="import_update")
    assert (update.before["name"], update.after["name"]) == ("Safety", "Data safety")
    assert AuditEvent.objects.filter(project=project, action="import").count() == 1


def test_import_can_move_an_existing_code_but_not_into_its_own_subtree(project, user):
    safety = code_create(project=project, user=user, name="Safety", key="s")
    code_create(project=project, user=user, name="Hacking", parent=safety, key="h")
    messages = errors_of(project, user, "code,name,parent\ns,Safety,h\n")
    assert "cycle" in messages[0]
    import_text(project, user, "code,name,parent\nh,Hacking,\n")
    assert [(d, name) for d, _, name, *_ in tree(project)] == [(0, "Safety"), (0, "Hacking")]


def test_a_row_with_a_new_key_takes_over_the_code_with_its_name(project, user):
    safety = code_create(project=project, user=user, name="Safety", key="s")
    import_text(project, user, "code,name\nsafety_security,Safety\n")
    safety.refresh_from_db()
    assert safety.key == "safety_security"
    assert Code.objects.filter(project=project).count() == 1


def test_import_refuses_a_rename_onto_the_name_of_an_unlisted_code(project, user):
    code_create(project=project, user=user, name="Safety", key="s")
    code_create(project=project, user=user, name="Security", key="t")
    messages = errors_of(project, user, "code,name\nt,Safety\n")
    assert "already the name of another code in the project (key 's')" in messages[0]
    assert sorted(Code.objects.values_list("name", flat=True)) == ["Safety", "Security"]


def test_importing_the_same_file_twice_changes_nothing(project, user):
    text = EVAL_FRAMEWORK.read_text()
    import_text(project, user, text)
    events = AuditEvent.objects.count()
    result = import_text(project, user, text)
    assert (result.created, result.updated) == (0, 0)
    assert result.unchanged == Code.objects.filter(project=project).count()
    assert AuditEvent.objects.count() == events
