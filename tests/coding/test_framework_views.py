from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coding.models import AuditEvent, Code, Coding
from coding.services.codes import code_create
from coding.services.codes import code_merge as codes_merge
from tests.conftest import member
from tests.factories import CodingFactory, TranscriptFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def theme(project, user):
    return code_create(project=project, user=user, name="Safety", definition="Keeping data safe")


@pytest.fixture
def sub_code(project, user, theme):
    return code_create(project=project, user=user, name="Hacking", parent=theme)


def url(name: str, project, code=None) -> str:
    args = [project.pk] if code is None else [project.pk, code.pk]
    return reverse(name, args=args)


def write_requests(project, theme, sub_code):
    """Every write the framework page offers, as (method, url, data)."""
    csv_file = SimpleUploadedFile("f.csv", b"name\nNew theme\n", content_type="text/csv")
    return [
        ("get", url("coding:framework_code_new", project), {}),
        ("post", url("coding:framework_code_new", project), {"name": "X", "colour": "#123456"}),
        ("get", url("coding:framework_code_edit", project, theme), {}),
        (
            "post",
            url("coding:framework_code_edit", project, theme),
            {"name": "Y", "colour": "#123456"},
        ),
        ("get", url("coding:framework_code_move", project, sub_code), {}),
        ("post", url("coding:framework_code_move", project, sub_code), {"parent": ""}),
        ("post", url("coding:framework_code_reorder", project, sub_code), {"direction": "up"}),
        (
            "post",
            url("coding:framework_code_place", project, sub_code),
            {"parent": "", "position": "0"},
        ),
        ("get", url("coding:framework_code_merge", project, sub_code), {}),
        ("post", url("coding:framework_code_merge", project, sub_code), {"target": theme.pk}),
        ("get", url("coding:framework_code_delete", project, theme), {}),
        ("post", url("coding:framework_code_delete", project, theme), {"confirm": "0:1"}),
        ("get", url("coding:framework_import", project), {}),
        ("post", url("coding:framework_import", project), {"file": csv_file}),
    ]


def test_viewers_get_403_on_every_framework_write_and_nothing_changes(
    client, project, viewer, theme, sub_code
):
    client.force_login(viewer)
    for method, address, data in write_requests(project, theme, sub_code):
        response = getattr(client, method)(address, data)
        assert response.status_code == 403, (method, address)
    assert sorted(Code.objects.values_list("name", flat=True)) == ["Hacking", "Safety"]
    sub_code.refresh_from_db()
    assert sub_code.parent == theme
    assert AuditEvent.objects.filter(user=viewer).count() == 0


def test_non_members_get_404_on_every_framework_view(client, project, outsider, theme, sub_code):
    client.force_login(outsider)
    reads = [
        ("get", url("coding:framework", project), {}),
        ("get", url("coding:framework_export", project), {}),
        ("get", url("coding:audit_log", project), {}),
    ]
    for method, address, data in reads + write_requests(project, theme, sub_code):
        assert getattr(client, method)(address, data).status_code == 404, (method, address)
    assert Code.objects.count() == 2


def test_codes_of_another_project_are_404_even_for_a_member(client, project, user):
    other_project_code = code_create(
        project=TranscriptFactory().project, user=user, name="Elsewhere"
    )
    client.force_login(user)
    address = reverse("coding:framework_code_edit", args=[project.pk, other_project_code.pk])
    assert client.get(address).status_code == 404
    assert client.post(address, {"name": "Hijack", "colour": "#000000"}).status_code == 404
    other_project_code.refresh_from_db()
    assert other_project_code.name == "Elsewhere"


def test_anonymous_visitors_are_sent_to_log_in(client, project):
    response = client.get(url("coding:framework", project))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_viewer_sees_the_framework_read_only(client, project, viewer, theme, sub_code):
    client.force_login(viewer)
    response = client.get(url("coding:framework", project))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Safety" in body and "Hacking" in body and "Keeping data safe" in body
    assert "New theme" not in body
    assert url("coding:framework_code_edit", project, theme) not in body
    assert "only owners and coders change it" in body


def test_framework_page_query_count_does_not_grow_with_the_framework(
    client, project, user, django_assert_num_queries
):
    transcripts = [TranscriptFactory(project=project) for _ in range(3)]
    for index in range(4):
        theme = code_create(project=project, user=user, name=f"Theme {index}")
        for sub_index in range(3):
            code = code_create(project=project, user=user, name=f"Sub {sub_index}", parent=theme)
            CodingFactory(transcript=transcripts[sub_index], code=code, coder=user)
    client.force_login(user)
    # session, user, membership, codes, transcripts, counts, theme passages, members
    with django_assert_num_queries(9):  # + open blind phases
        small = client.get(url("coding:framework", project))
    for index in range(30):
        code_create(project=project, user=user, name=f"More {index}")
    TranscriptFactory(project=project)
    with django_assert_num_queries(9):
        large = client.get(url("coding:framework", project))
    assert small.status_code == large.status_code == 200
    assert large.content.decode().count('role="treeitem"') == 46


def test_count_table_rolls_sub_code_counts_up_into_their_theme(client, project, user, coder):
    fg1 = TranscriptFactory(project=project, name="FG1", order=0)
    fg2 = TranscriptFactory(project=project, name="FG2", order=1)
    theme = code_create(project=project, user=user, name="Safety")
    hacking = code_create(project=project, user=user, name="Hacking", parent=theme)
    errors = code_create(project=project, user=user, name="Errors", parent=theme)
    CodingFactory(transcript=fg1, code=hacking, coder=user, start=0, end=4)
    CodingFactory(transcript=fg1, code=errors, coder=coder, start=0, end=4)
    CodingFactory(transcript=fg1, code=theme, coder=user, start=5, end=9)
    CodingFactory(transcript=fg2, code=hacking, coder=user, start=0, end=4)
    client.force_login(user)
    table = client.get(url("coding:framework", project)).context["table"]
    assert [t.name for t in table.transcripts] == ["FG1", "FG2"]
    assert [(row.code.name, row.counts, row.total) for row in table.rows] == [
        ("Safety", [3, 1], 4),
        ("Hacking", [1, 1], 2),
        ("Errors", [1, 0], 1),
    ]
    assert table.rows[2].heat == [1.0, 0.0]
    # The same passage coded with two sub-codes is one passage of the theme.
    assert (table.rows[0].passages, table.rows[0].passages_total) == ([2, 1], 3)
    assert table.rows[1].passages == []
    mine = client.get(
        url("coding:framework", project), {"coder": coder.pk}, **HTMX, HTTP_HX_TARGET="count-table"
    ).content.decode()
    assert 'id="count-table"' in mine and "code-tree" not in mine
    cells = re.findall(r'<td class="num[^"]*"[^>]*>(\d+)</td>', mine)
    # Safety (FG1, FG2, all, passages), Hacking, Errors, then the totals: FG1, FG2, all
    assert cells == ["1", "0", "1", "1", "0", "0", "0", "1", "0", "1", "1", "0", "1"]


def test_coder_creates_a_theme_and_a_sub_code_with_htmx(client, project, coder):
    client.force_login(coder)
    form = client.get(url("coding:framework_code_new", project), **HTMX)
    assert b'id="code-panel"' in form.content and b"<html" not in form.content
    response = client.post(
        url("coding:framework_code_new", project),
        {"name": "Safety", "colour": "#2f5d9b", "definition": "Keeping data safe"},
        **HTMX,
    )
    assert response.status_code == 200
    assert b'id="framework"' in response.content and b"Added &#x27;Safety&#x27;" in response.content
    theme = Code.objects.get(name="Safety")
    client.post(
        url("coding:framework_code_new", project),
        {"name": "Hacking", "colour": "#eb5757", "parent": theme.pk},
        **HTMX,
    )
    hacking = Code.objects.get(name="Hacking")
    assert (hacking.parent, hacking.colour, hacking.key) == (theme, "#eb5757", "hacking")
    assert AuditEvent.objects.filter(user=coder, action="create").count() == 2


def test_a_bad_code_form_comes_back_into_the_panel_with_the_error(client, project, user, theme):
    client.force_login(user)
    response = client.post(
        url("coding:framework_code_new", project), {"name": "safety", "colour": "#000000"}, **HTMX
    )
    assert response["HX-Retarget"] == "#code-panel"
    assert b"already a code called" in response.content
    assert Code.objects.count() == 1


def test_without_javascript_a_change_redirects_back_to_the_page(client, project, user, theme):
    client.force_login(user)
    page = client.get(url("coding:framework_code_edit", project, theme))
    assert b"<html" in page.content and b'value="Safety"' in page.content
    response = client.post(
        url("coding:framework_code_edit", project, theme),
        {"name": "Data safety", "colour": "#aabbcc", "definition": "New"},
    )
    assert response.status_code == 302 and response["Location"] == url("coding:framework", project)
    theme.refresh_from_db()
    assert (theme.name, theme.definition, theme.key) == ("Data safety", "New", "safety")


def test_move_and_reorder_from_the_page(client, project, user, theme, sub_code):
    other = code_create(project=project, user=user, name="Opting out")
    client.force_login(user)
    client.post(url("coding:framework_code_move", project, sub_code), {"parent": other.pk}, **HTMX)
    sub_code.refresh_from_db()
    assert sub_code.parent == other
    client.post(url("coding:framework_code_reorder", project, other), {"direction": "up"}, **HTMX)
    names = [
        row.code.name for row in client.get(url("coding:framework", project)).context["table"].rows
    ]
    assert names == ["Opting out", "Hacking", "Safety"]


def test_drag_and_drop_places_a_code_under_a_parent_at_a_position(
    client, project, user, theme, sub_code
):
    other = code_create(project=project, user=user, name="Opting out")
    client.force_login(user)
    place = url("coding:framework_code_place", project, other)
    response = client.post(place, {"parent": theme.pk, "position": "0"}, **HTMX)
    assert (
        "Moved &#x27;Opting out&#x27; under &#x27;Safety&#x27;, place 1."
        in response.content.decode()
    )
    page = client.get(url("coding:framework", project))
    names = [(row.code.name, row.depth) for row in page.context["table"].rows]
    assert names == [("Safety", 0), ("Opting out", 1), ("Hacking", 1)]
    client.post(place, {"parent": "", "position": "0"}, **HTMX)
    names = [
        row.code.name for row in client.get(url("coding:framework", project)).context["table"].rows
    ]
    assert names == ["Opting out", "Safety", "Hacking"]
    actions = list(AuditEvent.objects.filter(object_id=other.pk).values_list("action", flat=True))
    assert actions.count("move") == 2 and "reorder" in actions


def test_drag_and_drop_refuses_a_code_into_its_own_subtree_and_a_bad_position(
    client, project, user, theme, sub_code
):
    client.force_login(user)
    place = url("coding:framework_code_place", project, theme)
    response = client.post(place, {"parent": sub_code.pk, "position": "0"}, **HTMX)
    assert "it is in its subtree" in response.content.decode()
    assert client.post(place, {"parent": "", "position": "-1"}, **HTMX).status_code == 400
    theme.refresh_from_db()
    sub_code.refresh_from_db()
    assert theme.parent is None and sub_code.parent == theme


def test_move_form_does_not_offer_the_code_s_own_subtree(client, project, user, theme, sub_code):
    client.force_login(user)
    form = client.get(url("coding:framework_code_move", project, theme)).context["form"]
    offered = [label for _, label in form.fields["parent"].choices]
    assert offered == ["Top level (a theme)"]
    response = client.post(
        url("coding:framework_code_move", project, theme), {"parent": sub_code.pk}
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    theme.refresh_from_db()
    assert theme.parent is None


def test_merge_from_the_page_moves_the_codings(client, project, user, theme, sub_code):
    transcript = TranscriptFactory(project=project)
    other = code_create(project=project, user=user, name="Security")
    coding = CodingFactory(transcript=transcript, code=theme, coder=user)
    client.force_login(user)
    panel = client.get(url("coding:framework_code_merge", project, theme), **HTMX)
    assert b"Its 1 coding" in panel.content
    response = client.post(
        url("coding:framework_code_merge", project, theme), {"target": other.pk}, **HTMX
    )
    assert (
        b"Merged &#x27;Safety&#x27; into &#x27;Security&#x27;: 1 codings moved" in response.content
    )
    coding.refresh_from_db()
    sub_code.refresh_from_db()
    assert coding.code == other and sub_code.parent == other


def test_delete_asks_first_and_says_how_many_codings_and_sub_codes_go(
    client, project, user, theme, sub_code
):
    transcript = TranscriptFactory(project=project)
    CodingFactory(transcript=transcript, code=theme, coder=user, start=0, end=3)
    CodingFactory(transcript=transcript, code=sub_code, coder=UserFactory(), start=0, end=3)
    client.force_login(user)
    ask = client.get(url("coding:framework_code_delete", project, theme), **HTMX).content.decode()
    assert "1 sub-code</strong>" in ask and "2 codings</strong>" in ask
    # A post without the confirmation (or with stale figures) only asks again.
    again = client.post(
        url("coding:framework_code_delete", project, theme), {"confirm": "1:1"}, **HTMX
    )
    assert b"changed since you were asked" in again.content
    assert Code.objects.count() == 2 and Coding.objects.count() == 2
    done = client.post(
        url("coding:framework_code_delete", project, theme), {"confirm": "2:1"}, **HTMX
    )
    assert b"Deleted &#x27;Safety&#x27; with 1 sub-codes and 2 codings" in done.content
    assert Code.objects.count() == 0 and Coding.objects.count() == 0


def test_csv_import_from_the_page_reports_bad_rows_and_creates_nothing(client, project, user):
    client.force_login(user)
    bad = SimpleUploadedFile("codes.csv", b"name,colour\nSafety,#fff\n,#000\n")
    response = client.post(url("coding:framework_import", project), {"file": bad}, **HTMX)
    assert response["HX-Retarget"] == "#code-panel"
    assert "codes.csv: Row 3, column name: a code needs a name." in response.content.decode()
    assert not Code.objects.exists()
    good = SimpleUploadedFile("codes.csv", b"name,parent\nSafety,\nHacking,Safety\n")
    response = client.post(url("coding:framework_import", project), {"file": good}, **HTMX)
    assert b"2 codes created, 0 updated, 0 unchanged." in response.content
    assert Code.objects.get(name="Hacking").parent.name == "Safety"


def test_viewer_can_export_the_framework_csv(client, project, viewer, theme, sub_code):
    code_create(project=project, user=viewer, name="=cmd()")
    client.force_login(viewer)
    response = client.get(url("coding:framework_export", project))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="study-' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [row[1] for row in rows] == ["name", "Safety", "Hacking", "'=cmd()"]
    assert rows[2][2] == "safety"
    excel = client.get(url("coding:framework_export", project), {"bom": "1"})
    assert excel.content.startswith("\ufeffcode,".encode())


def test_project_nav_links_to_framework_and_audit_log_for_owners(client, project, user):
    client.force_login(user)
    body = client.get(reverse("transcripts:project_detail", args=[project.pk])).content.decode()
    assert url("coding:framework", project) in body and url("coding:audit_log", project) in body
    coder = member(project, "coder")
    client.force_login(coder)
    body = client.get(reverse("transcripts:project_detail", args=[project.pk])).content.decode()
    assert url("coding:framework", project) in body and url("coding:audit_log", project) not in body


def test_each_code_on_the_framework_page_links_to_its_quotes(client, project, viewer, theme):
    client.force_login(viewer)
    html = client.get(url("coding:framework", project)).content.decode()
    quotes = reverse("coding:code_quotes", args=[project.pk, theme.pk])
    assert f'class="badge code-quotes" href="{quotes}"' in html
    assert client.get(quotes).status_code == 200


def test_two_analysts_editing_one_code_do_not_overwrite_each_other(client, project, user, theme):
    from coding.services.audit import fingerprint

    edit_url = url("coding:framework_code_edit", project, theme)
    client.force_login(user)
    opened = fingerprint(theme)  # both opened the form on the same version
    fields = {"name": "Safety", "key": theme.key, "colour": theme.colour, "seen": opened}
    first = client.post(edit_url, {**fields, "definition": "Keeping data safe from hackers."})
    assert first.status_code in (200, 302)
    theme.refresh_from_db()
    assert theme.definition == "Keeping data safe from hackers."
    second = client.post(
        edit_url, {**fields, "definition": "Data security."}, HTTP_HX_REQUEST="true"
    )
    assert "Someone changed this since you opened it" in second.content.decode()
    # both versions are shown: theirs (saved) and mine (not saved)
    conflict = second.content.decode().split('id="code-conflict"', 1)[1].split("</table>", 1)[0]
    assert "Keeping data safe from hackers." in conflict and "Data security." in conflict
    theme.refresh_from_db()
    assert theme.definition == "Keeping data safe from hackers."  # the first edit is kept
    # the form now carries the current version: saving again works
    retry = client.post(
        edit_url, {**fields, "seen": fingerprint(theme), "definition": "Data security."}
    )
    assert retry.status_code in (200, 302)
    theme.refresh_from_db()
    assert theme.definition == "Data security."


def test_a_merge_offers_its_undo_once_and_undo_restores_the_code(
    client, project, user, theme, sub_code
):
    transcript = TranscriptFactory(project=project)
    other = code_create(project=project, user=user, name="Security")
    coding = CodingFactory(transcript=transcript, code=theme, coder=user)
    client.force_login(user)
    merged = client.post(
        url("coding:framework_code_merge", project, theme), {"target": other.pk}, **HTMX
    ).content.decode()
    assert "Undo the merge of “Safety”" in merged
    batch = merged.split('name="batch" value="')[1].split('"')[0]
    page = client.get(url("coding:framework", project)).content.decode()
    assert "Undo the merge" not in page  # offered once
    response = client.post(
        reverse("coding:framework_merge_undo", args=[project.pk]), {"batch": batch}, **HTMX
    ).content.decode()
    assert "Merge undone: &#x27;Safety&#x27; is back with 1 codings moved back" in response
    coding.refresh_from_db()
    sub_code.refresh_from_db()
    assert coding.code.name == "Safety" and sub_code.parent.name == "Safety"
    again = client.post(
        reverse("coding:framework_merge_undo", args=[project.pk]), {"batch": batch}, **HTMX
    ).content.decode()
    assert "already been undone" in again


def test_only_who_merged_or_an_owner_undoes_a_merge(client, project, user, coder, theme):
    other = code_create(project=project, user=user, name="Security")
    result = codes_merge(source=theme, target=other, user=user)
    client.force_login(coder)
    response = client.post(
        reverse("coding:framework_merge_undo", args=[project.pk]), {"batch": result.batch}, **HTMX
    ).content.decode()
    assert "Only who merged, or an owner, can undo it." in response
    assert not Code.objects.filter(project=project, name="Safety").exists()
