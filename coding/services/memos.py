"""Memos about the project, a transcript, a participant or a code: write, edit (no lost
updates), delete, all audited. The memos document is an export (themes/exports/memos.py)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from transcripts.models import Participant, Project, Transcript

from ..models import Code, Memo
from .audit import audit_record, conflict_check, snapshot

Subject = Project | Transcript | Participant | Code


def memo_subject_parse(*, project: Project, value: str) -> Subject:
    """``project``, ``transcript:12``, ``participant:3`` or ``code:7``: the project's object,
    or a ValidationError naming what is wrong (another project's id is "no such ...")."""
    kind, _, pk = value.partition(":")
    if kind == "project" and not pk:
        return project
    models: dict[str, Any] = {"transcript": Transcript, "participant": Participant, "code": Code}
    model = models.get(kind)
    if model is None or not pk.isdigit():
        raise ValidationError("Choose what the memo is about.")
    found = model.objects.filter(project=project, pk=int(pk)).first()
    if found is None:
        raise ValidationError(f"No such {kind} in this project.")
    return found


def _about(subject: Subject) -> dict[str, Any]:
    if isinstance(subject, Transcript):
        return {"about": Memo.About.TRANSCRIPT, "transcript": subject}
    if isinstance(subject, Participant):
        return {"about": Memo.About.PARTICIPANT, "participant": subject}
    if isinstance(subject, Code):
        return {"about": Memo.About.CODE, "code": subject}
    return {"about": Memo.About.PROJECT}


def _clean(title: str, text: str) -> tuple[str, str]:
    title, text = " ".join(title.split()), text.replace("\r\n", "\n").strip()
    if not title:
        raise ValidationError({"title": "Give the memo a title."})
    if len(title) > 200:
        raise ValidationError({"title": "A title has at most 200 characters."})
    return title, text


@transaction.atomic
def memo_create(*, project: Project, subject: Subject, title: str, text: str, user: Any) -> Memo:
    title, text = _clean(title, text)
    memo = Memo.objects.create(
        project=project, title=title, text=text, author=user, **_about(subject)
    )
    audit_record(project=project, user=user, action="create", instance=memo, after=snapshot(memo))
    return memo


@transaction.atomic
def memo_update(*, memo: Memo, title: str, text: str, user: Any, seen: str | None) -> Memo:
    """Save a new title and text, unless someone saved the memo since ``seen`` (its
    fingerprint when the form was opened): then nothing is saved and the error says so."""
    memo = Memo.objects.select_for_update().get(pk=memo.pk)
    conflict_check(memo, seen)
    title, text = _clean(title, text)
    before = snapshot(memo)
    memo.title, memo.text, memo.updated_at = title, text, timezone.now()
    memo.save(update_fields=["title", "text", "updated_at"])
    audit_record(project=memo.project, user=user, action="update", instance=memo,
                 before=before, after=snapshot(memo))  # fmt: skip
    return memo


@transaction.atomic
def memo_delete(*, memo: Memo, user: Any) -> None:
    audit_record(project=memo.project, user=user, action="delete", instance=memo,
                 before=snapshot(memo))  # fmt: skip
    memo.delete()
