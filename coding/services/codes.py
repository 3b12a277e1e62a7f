"""Writes to the framework: create, update, move, reorder, place, merge and delete codes.

Every change goes through these services and is written to the append-only audit log, including
the codings a merge moves or drops and the codings a delete takes with it.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from transcripts.models import Project

from ..models import AuditEvent, Code, Coding
from ..selectors.codes import code_descendant_ids
from .audit import CODE_FIELDS, audit_record, conflict_check, snapshot


@transaction.atomic
def code_create(
    *,
    project: Project,
    user: Any,
    name: str,
    parent: Code | None = None,
    definition: str = "",
    inclusion: str = "",
    exclusion: str = "",
    example: str = "",
    colour: str = "",
    order: int | None = None,
    key: str = "",
    action: str = "create",
) -> Code:
    """Add a code to the framework. Without a ``key`` one is derived from the name."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A code needs a name."})
    if len(name) > 200:
        raise ValidationError({"name": "A code name can be at most 200 characters."})
    if parent is not None and parent.project_id != project.pk:
        raise ValidationError({"parent": "The parent code belongs to another project."})
    if Code.objects.filter(project=project, parent=parent, name__iexact=name).exists():
        raise ValidationError({"name": f"There is already a code called {name!r} here."})
    colour = colour_clean(colour) if colour else ""
    key = key.strip()
    if key:
        key_validate(key)
        if Code.objects.filter(project=project, key=key).exists():
            raise ValidationError({"key": f"Another code already has the key {key!r}."})
    else:
        key = key_derive(
            name=name,
            taken=set(
                Code.objects.filter(project=project, key__startswith=key_base(name)).values_list(
                    "key", flat=True
                )
            ),
        )
    if order is None:
        order = Code.objects.filter(project=project, parent=parent).count()
    code = Code.objects.create(
        project=project,
        parent=parent,
        name=name,
        definition=definition.strip(),
        inclusion=inclusion.strip(),
        exclusion=exclusion.strip(),
        example=example.strip(),
        colour=colour or PALETTE[Code.objects.filter(project=project).count() % len(PALETTE)],
        order=order,
        key=key,
    )
    audit_record(project=project, user=user, action=action, instance=code, after=snapshot(code))
    return code


COLOUR_RE = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")


def colour_clean(value: str) -> str:
    """``#RGB``, ``#RRGGBB`` (the ``#`` optional) as lower-case ``#rrggbb``."""
    match = COLOUR_RE.match(value.strip())
    if match is None:
        raise ValidationError(
            {"colour": f"{value!r} is not a colour: write it as #RRGGBB, e.g. #2f5d9b."}
        )
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(char * 2 for char in digits)
    return f"#{digits}"


def key_validate(key: str) -> None:
    if not KEY_RE.match(key):
        raise ValidationError(
            {
                "key": f"{key!r} is not a usable key: use up to 100 letters, digits, "
                "'_', '-' or '.', starting with a letter or digit."
            }
        )


def key_base(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")[:60] or "code"


def key_derive(*, name: str, taken: set[str]) -> str:
    """A key for a code called ``name`` that is not in ``taken``: ``safety_security``,
    then ``safety_security_2`` ..."""
    base = key_base(name)
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}_{n}"
    return key


PALETTE = (
    "#f2c94c",
    "#6fcf97",
    "#56ccf2",
    "#bb6bd9",
    "#f2994a",
    "#eb5757",
    "#9b51e0",
    "#27ae60",
    "#2d9cdb",
    "#e0a3c8",
)


TEXT_FIELDS = ("definition", "inclusion", "exclusion", "example")


@dataclass
class MergeResult:
    target: Code
    batch: str = ""  # the audit events' batch: what undo reverses
    codings_moved: int = 0
    duplicates_dropped: int = 0
    sub_codes_moved: int = 0
    sub_codes_merged: int = 0


@dataclass
class DeleteImpact:
    codings: int
    sub_codes: int


def _siblings(*, project_id: int, parent_id: int | None) -> QuerySet[Code]:
    return Code.objects.filter(project_id=project_id, parent_id=parent_id).order_by(
        "order", "name", "id"
    )


def _name_clash(*, code: Code, parent_id: int | None, name: str) -> Code | None:
    return (
        _siblings(project_id=code.project_id, parent_id=parent_id)
        .filter(name__iexact=name)
        .exclude(pk=code.pk)
        .first()
    )


def _where(parent: Code | None) -> str:
    return f"under {parent.name!r}" if parent is not None else "at the top level"


def _audit_codings(
    *,
    project: Any,
    user: Any,
    action: str,
    rows: Sequence[tuple[dict, dict | None]],
    batch: str = "",
) -> None:
    """One audit event per coding, written in one statement (merges and deletes can touch
    thousands of codings)."""
    who = user if user is not None and getattr(user, "is_authenticated", False) else None
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                project=project,
                user=who,
                at=now,
                action=action,
                object_type="coding",
                object_id=before["id"],
                before=before,
                after=after,
                batch=batch,
            )
            for before, after in rows
        ],
        batch_size=500,
    )


@transaction.atomic
def code_update(
    *,
    code: Code,
    user: Any,
    name: str | None = None,
    key: str | None = None,
    definition: str | None = None,
    inclusion: str | None = None,
    exclusion: str | None = None,
    example: str | None = None,
    colour: str | None = None,
    seen: str | None = None,
) -> Code:
    """Change a code's own fields (``None`` leaves a field as it is). No change, no audit.
    ``seen`` is the fingerprint the edit form was opened with: if the code changed since, the
    save is refused rather than overwriting someone else's edit."""
    current = Code.objects.select_for_update().get(pk=code.pk)
    conflict_check(current, seen)
    before = snapshot(code)
    if name is not None:
        name = name.strip()
        if not name:
            raise ValidationError({"name": "A code needs a name."})
        if len(name) > 200:
            raise ValidationError({"name": "A code name can be at most 200 characters."})
        if _name_clash(code=code, parent_id=code.parent_id, name=name):
            raise ValidationError({"name": f"There is already a code called {name!r} here."})
        code.name = name
    if key is not None:
        key = key.strip()
        if not key:
            raise ValidationError({"key": "A code needs a key (it identifies it in CSV files)."})
        key_validate(key)
        if Code.objects.filter(project_id=code.project_id, key=key).exclude(pk=code.pk).exists():
            raise ValidationError({"key": f"Another code already has the key {key!r}."})
        code.key = key
    if colour is not None:
        code.colour = colour_clean(colour)
    values = {
        "definition": definition,
        "inclusion": inclusion,
        "exclusion": exclusion,
        "example": example,
    }
    for field_name, value in values.items():
        if value is not None:
            setattr(code, field_name, value.strip())
    after = snapshot(code)
    if after != before:
        code.save()
        audit_record(
            project=code.project,
            user=user,
            action="update",
            instance=code,
            before=before,
            after=after,
        )
    return code


@transaction.atomic
def code_move(*, code: Code, user: Any, parent: Code | None) -> Code:
    """Put ``code`` (with its sub-codes) under ``parent`` (``None``: make it a theme), last among
    its new siblings. A code cannot go into its own subtree."""
    if parent is not None:
        if parent.project_id != code.project_id:
            raise ValidationError({"parent": "The new parent belongs to another project."})
        if parent.pk in code_descendant_ids(code=code):
            raise ValidationError(
                {"parent": f"{code.name!r} cannot go under {parent.name!r}: it is in its subtree."}
            )
    parent_id = parent.pk if parent is not None else None
    if parent_id == code.parent_id:
        return code
    if _name_clash(code=code, parent_id=parent_id, name=code.name):
        raise ValidationError(
            {"parent": f"There is already a code called {code.name!r} {_where(parent)}."}
        )
    before = snapshot(code)
    last = _siblings(project_id=code.project_id, parent_id=parent_id).order_by("-order").first()
    code.parent = parent
    code.order = last.order + 1 if last is not None else 0
    code.save(update_fields=["parent", "order"])
    audit_record(
        project=code.project,
        user=user,
        action="move",
        instance=code,
        before=before,
        after=snapshot(code),
    )
    return code


@transaction.atomic
def code_reorder(*, code: Code, user: Any, position: int) -> Code:
    """Move ``code`` to ``position`` (0 = first) among its siblings; siblings are renumbered
    0, 1, 2 ... The audit entry records the sibling order before and after."""
    siblings = list(_siblings(project_id=code.project_id, parent_id=code.parent_id))
    names_before = [sibling.name for sibling in siblings]
    current = next(index for index, sibling in enumerate(siblings) if sibling.pk == code.pk)
    position = max(0, min(position, len(siblings) - 1))
    if position == current and all(s.order == i for i, s in enumerate(siblings)):
        return code
    before = {**snapshot(code), "siblings": names_before}
    moved = siblings.pop(current)
    siblings.insert(position, moved)
    changed = []
    for index, sibling in enumerate(siblings):
        if sibling.order != index:
            sibling.order = index
            changed.append(sibling)
    Code.objects.bulk_update(changed, ["order"])
    code.order = position
    audit_record(
        project=code.project,
        user=user,
        action="reorder",
        instance=code,
        before=before,
        after={**snapshot(code), "siblings": [sibling.name for sibling in siblings]},
    )
    return code


@transaction.atomic
def code_place(*, code: Code, user: Any, parent: Code | None, position: int) -> Code:
    """Put ``code`` under ``parent`` (``None``: a theme) at ``position`` among its new siblings,
    as a drag and drop does: a move (if the parent changes) then a reorder, both audited."""
    code = code_move(code=code, user=user, parent=parent)
    return code_reorder(code=code, user=user, position=position)


@transaction.atomic
def code_merge(*, source: Code, target: Code, user: Any) -> MergeResult:
    """Fold ``source`` into ``target``: its codings move to the target (a coding the target
    already has for the same span and coder is dropped), its sub-codes move under the target
    (one with the same name as a sub-code of the target is merged into it in turn), and the
    source is deleted. Everything is audited."""
    if source.project_id != target.project_id:
        raise ValidationError("The two codes belong to different projects.")
    if source.pk == target.pk:
        raise ValidationError("Choose a different code to merge into.")
    if target.pk in code_descendant_ids(code=source):
        raise ValidationError(
            f"{source.name!r} cannot be merged into its own sub-code {target.name!r}: "
            "move the sub-code out first, or merge the other way round."
        )
    # Hold both codes while their codings move (PostgreSQL; SQLite serialises writes anyway).
    list(Code.objects.select_for_update().filter(pk__in=[source.pk, target.pk]))
    result = MergeResult(target=target, batch=f"merge-{uuid.uuid4().hex[:16]}")
    _merge_into(source=source, target=target, user=user, result=result)
    return result


def _merge_into(*, source: Code, target: Code, user: Any, result: MergeResult) -> None:
    project = source.project
    source_snapshot = snapshot(source)
    if source.parent_id == target.pk:
        # The source's sub-codes are about to sit beside it under the target; free its name.
        source.name = f"{source.name[:150]} (merging {source.pk})"
        source.save(update_fields=["name"])

    codings = list(Coding.objects.filter(code=source))
    taken = {
        coding.identity[:2] + coding.identity[3:]
        for coding in Coding.objects.filter(
            code=target, transcript_id__in={c.transcript_id for c in codings}
        ).only("transcript_id", "coder_id", "code_id", "start", "end", "origin")
    }
    moved: list[Coding] = []
    dropped: list[Coding] = []
    for coding in codings:
        span = coding.identity[:2] + coding.identity[3:]
        (dropped if span in taken else moved).append(coding)
        taken.add(span)
    now = timezone.now()
    moved_rows = []
    for coding in moved:
        before = snapshot(coding)
        coding.code = target
        moved_rows.append((before, {**before, "code": target.pk}))
    Coding.objects.filter(pk__in=[c.pk for c in moved]).update(code=target, updated_at=now)
    batch = result.batch
    _audit_codings(project=project, user=user, action="merge", rows=moved_rows, batch=batch)
    dropped_rows = [(snapshot(coding), None) for coding in dropped]
    _audit_codings(project=project, user=user, action="delete", rows=dropped_rows, batch=batch)
    Coding.objects.filter(pk__in=[c.pk for c in dropped]).delete()
    result.codings_moved += len(moved)
    result.duplicates_dropped += len(dropped)

    target_children = {child.name.casefold(): child for child in target.children.all()}
    last = max((child.order for child in target_children.values()), default=-1)
    for child in list(source.children.order_by("order", "name", "id")):
        same_name = target_children.get(child.name.casefold())
        if same_name is not None and same_name.pk != source.pk:
            result.sub_codes_merged += 1
            _merge_into(source=child, target=same_name, user=user, result=result)
            continue
        before = snapshot(child)
        last += 1
        child.parent, child.order = target, last
        child.save(update_fields=["parent", "order"])
        audit_record(
            project=project,
            user=user,
            action="move",
            instance=child,
            before=before,
            after=snapshot(child),
            batch=batch,
        )
        result.sub_codes_moved += 1

    audit_record(
        project=project,
        user=user,
        action="merge",
        instance=source,
        before=source_snapshot,
        after={"merged_into": target.pk, "merged_into_name": target.name},
        batch=batch,
    )
    source.delete()


def _merge_events(*, project: Project, batch: str) -> list[AuditEvent]:
    """A merge's audit events, once it is sure it can be undone: it exists, it was not undone
    already, and nothing it touched has changed since."""
    events = list(AuditEvent.objects.filter(project=project, batch=batch).order_by("pk"))
    if not batch.startswith("merge-") or not events:
        raise ValidationError("There is no such merge to undo.")
    if AuditEvent.objects.filter(project=project, batch=UNDONE + batch).exists():
        raise ValidationError("This merge has already been undone.")
    removed = [e for e in events if e.object_type == "code" and e.action == "merge"]
    moved_codes = [e for e in events if e.object_type == "code" and e.action == "move"]
    moved = [e for e in events if e.object_type == "coding" and e.action == "merge"]
    targets = {int((e.after or {}).get("merged_into") or 0) for e in removed}
    touched = AuditEvent.objects.filter(project=project, pk__gt=events[-1].pk).filter(
        Q(object_type="coding", object_id__in=[e.object_id for e in moved])
        | Q(object_type="code", object_id__in=targets | {e.object_id for e in moved_codes})
    )
    if touched.exists():
        raise ValidationError(
            "Codings or codes of this merge have changed since, so it can no longer be undone "
            "in one step. The audit log keeps every step of it."
        )
    return events


@dataclass
class UnmergeResult:
    code: Code  # the merged code, back
    codes_restored: int = 0
    codings_moved_back: int = 0
    codings_restored: int = 0
    sub_codes_moved_back: int = 0


UNDONE = "undone:"  # prefix of the batch of an undo's own audit events


@transaction.atomic
def code_merge_undo(*, project: Project, batch: str, user: Any) -> UnmergeResult:
    """One step back: the merged code (and any sub-codes merged with it) comes back as it was,
    its codings and sub-codes move back, and the duplicates the merge dropped come back.
    Refused once anything the merge touched has changed since. Audited as one batch."""
    events = _merge_events(project=project, batch=batch)
    kinds: dict[tuple[str, str], list[AuditEvent]] = {}
    for event in events:
        kinds.setdefault((event.object_type, event.action), []).append(event)
    undo = UNDONE + batch
    restored = _codes_recreate(
        project=project, events=kinds.get(("code", "merge"), []), user=user, batch=undo
    )
    result = UnmergeResult(code=restored[-1], codes_restored=len(restored))
    moved_codes = kinds.get(("code", "move"), [])
    for event in moved_codes:
        before = event.before or {}
        Code.objects.filter(project=project, pk=int(event.object_id or 0)).update(
            parent_id=before.get("parent"), order=before.get("order", 0)
        )
        code = Code.objects.get(pk=int(event.object_id or 0))
        audit_record(project=project, user=user, action="unmerge", instance=code,
                     before=event.after, after=snapshot(code), batch=undo)  # fmt: skip
    result.sub_codes_moved_back = len(moved_codes)
    result.codings_moved_back = _codings_move_back(
        project=project, events=kinds.get(("coding", "merge"), []), user=user, batch=undo
    )
    dropped = kinds.get(("coding", "delete"), [])
    Coding.objects.bulk_create([_coding_from(e.before or {}) for e in dropped], batch_size=500)
    _audit_codings(project=project, user=user, action="restore",
                   rows=[(e.before or {}, e.before) for e in dropped], batch=undo)  # fmt: skip
    result.codings_restored = len(dropped)
    return result


def _codings_move_back(*, project: Project, events: list[AuditEvent], user: Any, batch: str) -> int:
    rows = []
    for event in events:
        before = event.before or {}
        Coding.objects.filter(pk=int(event.object_id or 0)).update(code_id=before["code"])
        rows.append((event.after or {}, before))
    _audit_codings(project=project, user=user, action="unmerge", rows=rows, batch=batch)
    return len(events)


def _codes_recreate(
    *, project: Project, events: list[AuditEvent], user: Any, batch: str
) -> list[Code]:
    """The codes a merge deleted, parents before their sub-codes; the top one last."""
    pending = {int(e.object_id or 0): e.before or {} for e in events}
    made: list[Code] = []
    while pending:
        ready = [pk for pk, before in pending.items() if before.get("parent") not in pending]
        for pk in sorted(ready):
            before = pending.pop(pk)
            clash = Code.objects.filter(project=project, name=before["name"]).filter(
                parent_id=before.get("parent")
            )
            if clash.exists() or (
                before.get("key") and Code.objects.filter(project=project, key=before["key"])
            ):
                raise ValidationError(
                    f"A code named {before['name']!r} (or with its key) exists there now: "
                    "rename it before undoing the merge."
                )
            code = Code.objects.create(
                pk=pk,
                project=project,
                **{field: before.get(field) for field in CODE_FIELDS if field != "parent"},
                parent_id=before.get("parent"),
            )
            audit_record(project=project, user=user, action="unmerge", instance=code,
                         after=snapshot(code), batch=batch)  # fmt: skip
            made.append(code)
    by_pk = {code.pk: code for code in made}
    top = int(events[-1].object_id or 0)  # the merge records its own code last
    return [code for code in made if code.pk != top] + [by_pk[top]]


def _coding_from(before: dict[str, Any]) -> Coding:
    return Coding(
        pk=before["id"],
        transcript_id=before["transcript"],
        code_id=before["code"],
        coder_id=before["coder"],
        start=before["start"],
        end=before["end"],
        text=before["text"],
        memo=before.get("memo", ""),
        origin=before.get("origin", Coding.Origin.MANUAL),
        starred=bool(before.get("starred")),
    )


def code_delete_impact(*, code: Code) -> DeleteImpact:
    """What deleting ``code`` takes with it: codings of it and of its sub-codes, and the
    sub-codes themselves."""
    ids = code_descendant_ids(code=code)
    return DeleteImpact(
        codings=Coding.objects.filter(code_id__in=ids).count(), sub_codes=len(ids) - 1
    )


@transaction.atomic
def code_delete(*, code: Code, user: Any) -> DeleteImpact:
    """Delete a code, its sub-codes and their codings, auditing each of them."""
    ids = code_descendant_ids(code=code)
    project = code.project
    by_id = {c.pk: c for c in Code.objects.select_for_update().filter(pk__in=ids)}
    codings = list(Coding.objects.filter(code_id__in=ids))
    _audit_codings(
        project=project,
        user=user,
        action="delete",
        rows=[(snapshot(coding), None) for coding in codings],
    )
    for code_id in reversed(ids):  # deepest first, the code itself last
        audit_record(
            project=project,
            user=user,
            action="delete",
            instance=by_id[code_id],
            before=snapshot(by_id[code_id]),
        )
    Coding.objects.filter(code_id__in=ids).delete()
    code.delete()
    return DeleteImpact(codings=len(codings), sub_codes=len(ids) - 1)
