from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from coding.models import AuditEvent, Code, Coding
from coding.selectors.codes import code_tree_flat
from coding.services.codes import (
    code_create,
    code_delete,
    code_delete_impact,
    code_merge,
    code_move,
    code_reorder,
    code_update,
)
from tests.factories import CodingFactory, TranscriptFactory, UserFactory

pytestmark = pytest.mark.django_db


def tree(project) -> list[tuple[int, str]]:
    return [(node.depth, node.code.name) for node in code_tree_flat(project=project)]


def events(project, action: str, object_type: str = "code") -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(project=project, action=action, object_type=object_type))


@pytest.fixture
def safety(project, user):
    return code_create(project=project, user=user, name="Data safety")


def test_code_create_derives_a_unique_key_and_audits(project, user):
    first = code_create(project=project, user=user, name="Data safety & security")
    parent = code_create(project=project, user=user, name="Other")
    second = code_create(project=project, user=user, name="Data safety & security", parent=parent)
    assert first.key == "data_safety_security"
    assert second.key == "data_safety_security_2"
    created = events(project, "create")
    assert {event.object_id for event in created} == {first.pk, parent.pk, second.pk}
    assert created[0].user == user


def test_code_create_rejects_a_bad_colour_and_a_taken_key(project, user, safety):
    with pytest.raises(ValidationError, match="not a colour"):
        code_create(project=project, user=user, name="X", colour="red")
    with pytest.raises(ValidationError, match="already has the key"):
        code_create(project=project, user=user, name="Y", key=safety.key)
    assert Code.objects.filter(project=project).count() == 1


def test_code_update_changes_fields_and_records_before_and_after(project, user, safety):
    code_update(
        code=safety,
        user=user,
        name="Safety and security",
        definition="Keeping data safe",
        colour="#ABC",
    )
    safety.refresh_from_db()
    assert (safety.name, safety.definition, safety.colour) == (
        "Safety and security",
        "Keeping data safe",
        "#aabbcc",
    )
    [event] = events(project, "update")
    assert event.before["name"] == "Data safety"
    assert event.after["name"] == "Safety and security"
    assert event.after["colour"] == "#aabbcc"


def test_code_update_without_changes_writes_no_audit_event(project, user, safety):
    code_update(code=safety, user=user, name="Data safety")
    assert events(project, "update") == []


def test_code_update_refuses_a_name_taken_by_a_sibling(project, user, safety):
    code_create(project=project, user=user, name="Opting out")
    with pytest.raises(ValidationError, match="already a code called"):
        code_update(code=safety, user=user, name="opting out")
    safety.refresh_from_db()
    assert safety.name == "Data safety"


def test_code_move_puts_a_code_with_its_sub_codes_under_another_parent(project, user, safety):
    sharing = code_create(project=project, user=user, name="Sharing")
    hacking = code_create(project=project, user=user, name="Hacking", parent=sharing)
    code_create(project=project, user=user, name="Insurers", parent=hacking)
    code_move(code=hacking, user=user, parent=safety)
    assert tree(project) == [(0, "Data safety"), (1, "Hacking"), (2, "Insurers"), (0, "Sharing")]
    [event] = events(project, "move")
    assert (event.before["parent"], event.after["parent"]) == (sharing.pk, safety.pk)


def test_code_move_to_the_top_level_makes_a_theme(project, user, safety):
    hacking = code_create(project=project, user=user, name="Hacking", parent=safety)
    code_move(code=hacking, user=user, parent=None)
    assert tree(project) == [(0, "Data safety"), (0, "Hacking")]


def test_code_move_never_goes_into_its_own_subtree(project, user, safety):
    hacking = code_create(project=project, user=user, name="Hacking", parent=safety)
    leaks = code_create(project=project, user=user, name="Leaks", parent=hacking)
    for new_parent in (safety, hacking, leaks):
        with pytest.raises(ValidationError, match="subtree"):
            code_move(code=safety, user=user, parent=new_parent)
    assert tree(project) == [(0, "Data safety"), (1, "Hacking"), (2, "Leaks")]
    assert events(project, "move") == []


def test_code_move_refuses_a_name_clash_at_the_destination(project, user, safety):
    code_create(project=project, user=user, name="Hacking", parent=safety)
    loose = code_create(project=project, user=user, name="Hacking")
    with pytest.raises(ValidationError, match="already a code called 'Hacking' under"):
        code_move(code=loose, user=user, parent=safety)


def test_code_reorder_moves_a_code_among_its_siblings_and_audits_the_order(project, user):
    a, b, c = (code_create(project=project, user=user, name=name) for name in "ABC")
    code_reorder(code=c, user=user, position=0)
    assert tree(project) == [(0, "C"), (0, "A"), (0, "B")]
    code_reorder(code=a, user=user, position=5)  # past the end: last
    assert tree(project) == [(0, "C"), (0, "B"), (0, "A")]
    first, second = sorted(events(project, "reorder"), key=lambda event: event.pk)
    assert first.before["siblings"] == ["A", "B", "C"]
    assert first.after["siblings"] == ["C", "A", "B"]
    assert second.after["siblings"] == ["C", "B", "A"]


def test_code_merge_moves_codings_drops_duplicates_and_moves_sub_codes(project, user, safety):
    other_coder = UserFactory()
    transcript = TranscriptFactory(project=project)
    security = code_create(project=project, user=user, name="Security")
    hacking = code_create(project=project, user=user, name="Hacking", parent=safety)
    same = CodingFactory(transcript=transcript, code=safety, coder=user, start=0, end=9)
    CodingFactory(transcript=transcript, code=security, coder=user, start=0, end=9)
    other_span = CodingFactory(transcript=transcript, code=safety, coder=user, start=11, end=20)
    other_coder_same_span = CodingFactory(
        transcript=transcript, code=safety, coder=other_coder, start=0, end=9
    )
    safety_pk = safety.pk
    result = code_merge(source=safety, target=security, user=user)
    assert (result.codings_moved, result.duplicates_dropped, result.sub_codes_moved) == (2, 1, 1)
    assert not Code.objects.filter(pk=safety_pk).exists()
    assert not Coding.objects.filter(pk=same.pk).exists()
    assert set(Coding.objects.filter(code=security).values_list("pk", flat=True)) >= {
        other_span.pk,
        other_coder_same_span.pk,
    }
    assert Coding.objects.filter(code=security).count() == 3
    assert tree(project) == [(0, "Security"), (1, "Hacking")]
    hacking.refresh_from_db()
    assert hacking.parent == security
    [merge] = events(project, "merge")
    assert merge.object_id == safety_pk and merge.after["merged_into"] == security.pk
    assert len(events(project, "merge", "coding")) == 2
    [dropped] = events(project, "delete", "coding")
    assert dropped.object_id == same.pk


def test_code_merge_folds_same_named_sub_codes_together(project, user, safety):
    transcript = TranscriptFactory(project=project)
    security = code_create(project=project, user=user, name="Security")
    old = code_create(project=project, user=user, name="Hacking", parent=safety)
    kept = code_create(project=project, user=user, name="hacking", parent=security)
    coding = CodingFactory(transcript=transcript, code=old, coder=user)
    result = code_merge(source=safety, target=security, user=user)
    assert result.sub_codes_merged == 1
    assert tree(project) == [(0, "Security"), (1, "hacking")]
    coding.refresh_from_db()
    assert coding.code == kept


def test_code_merge_into_the_parent_lifts_the_sub_codes(project, user, safety):
    hacking = code_create(project=project, user=user, name="Hacking", parent=safety)
    code_create(project=project, user=user, name="Hacking", parent=hacking)
    code_create(project=project, user=user, name="Leaks", parent=hacking)
    code_merge(source=hacking, target=safety, user=user)
    assert tree(project) == [(0, "Data safety"), (1, "Hacking"), (1, "Leaks")]


def test_code_merge_refuses_a_target_inside_the_source(project, user, safety):
    hacking = code_create(project=project, user=user, name="Hacking", parent=safety)
    with pytest.raises(ValidationError, match="own sub-code"):
        code_merge(source=safety, target=hacking, user=user)
    with pytest.raises(ValidationError, match="different code"):
        code_merge(source=safety, target=safety, user=user)
    assert tree(project) == [(0, "Data safety"), (1, "Hacking")]


def test_code_delete_takes_sub_codes_and_codings_and_audits_each(project, user, safety):
    transcript = TranscriptFactory(project=project)
    hacking = code_create(project=project, user=user, name="Hacking", parent=safety)
    leaks = code_create(project=project, user=user, name="Leaks", parent=hacking)
    keep = code_create(project=project, user=user, name="Keep")
    CodingFactory(transcript=transcript, code=safety, coder=user, start=0, end=4)
    CodingFactory(transcript=transcript, code=leaks, coder=user, start=0, end=4)
    kept_coding = CodingFactory(transcript=transcript, code=keep, coder=user)
    impact = code_delete_impact(code=safety)
    assert (impact.codings, impact.sub_codes) == (2, 2)
    ids = {safety.pk, hacking.pk, leaks.pk}
    code_delete(code=safety, user=user)
    assert tree(project) == [(0, "Keep")]
    assert list(Coding.objects.all()) == [kept_coding]
    deleted_codes = events(project, "delete")
    assert {event.object_id for event in deleted_codes} == ids
    assert deleted_codes[0].before["name"] in {"Data safety", "Hacking", "Leaks"}
    assert len(events(project, "delete", "coding")) == 2


def _state(project):
    codes = sorted(
        Code.objects.filter(project=project).values_list(
            "pk", "name", "key", "parent_id", "order", "definition", "colour"
        )
    )
    codings = sorted(
        Coding.objects.filter(transcript__project=project).values_list(
            "pk", "code_id", "coder_id", "start", "end", "memo", "starred"
        )
    )
    return codes, codings


def test_undo_of_a_merge_brings_everything_back_as_it_was(project, user, safety):
    from coding.services.codes import code_merge_undo

    transcript = TranscriptFactory(project=project)
    security = code_create(project=project, user=user, name="Security")
    code_update(code=safety, user=user, definition="Keeping data safe.")
    hacking = code_create(project=project, user=user, name="Hacking", parent=safety)
    old_leaks = code_create(project=project, user=user, name="Leaks", parent=safety)
    code_create(project=project, user=user, name="leaks", parent=security)  # folded into
    CodingFactory(transcript=transcript, code=safety, coder=user, start=0, end=9, memo="m")
    CodingFactory(transcript=transcript, code=security, coder=user, start=0, end=9)
    CodingFactory(transcript=transcript, code=safety, coder=user, start=11, end=20, starred=True)
    CodingFactory(transcript=transcript, code=hacking, coder=user, start=2, end=5)
    CodingFactory(transcript=transcript, code=old_leaks, coder=user, start=3, end=6)
    before = _state(project)
    result = code_merge(source=safety, target=security, user=user)
    assert result.duplicates_dropped == 1 and result.sub_codes_merged == 1
    assert _state(project) != before
    undone = code_merge_undo(project=project, batch=result.batch, user=user)
    assert undone.code.name == "Data safety"
    assert (undone.codes_restored, undone.codings_moved_back, undone.codings_restored) == (2, 2, 1)
    assert _state(project) == before  # same ids, names, keys, places, codings, memos, stars
    assert events(project, "unmerge")  # audited
    with pytest.raises(ValidationError, match="already been undone"):
        code_merge_undo(project=project, batch=result.batch, user=user)


def test_undo_of_a_merge_is_refused_once_its_codings_changed(project, user, safety):
    from coding.services.codes import code_merge_undo
    from coding.services.codings import coding_update

    transcript = TranscriptFactory(project=project)
    security = code_create(project=project, user=user, name="Security")
    coding = CodingFactory(transcript=transcript, code=safety, coder=user, start=0, end=9)
    result = code_merge(source=safety, target=security, user=user)
    coding.refresh_from_db()
    coding_update(coding=coding, user=user, memo="changed since")
    state = _state(project)
    with pytest.raises(ValidationError, match="changed since"):
        code_merge_undo(project=project, batch=result.batch, user=user)
    assert _state(project) == state
    with pytest.raises(ValidationError, match="no such merge"):
        code_merge_undo(project=project, batch="merge-nothing", user=user)
