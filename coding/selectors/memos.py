"""Reading memos: the project's memos and its codings' memos, filtered and searched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from transcripts.models import Project

from ..models import Coding, Memo
from .team import codings_visible

KINDS = ("project", "transcript", "participant", "code", "coding")


@dataclass
class MemoFilter:
    about: str = ""  # one of KINDS, or "" for all
    q: str = ""  # words that must all occur in the title or text (case-insensitive)
    transcript_id: int | None = None
    participant_id: int | None = None
    code_id: int | None = None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def memo_filters(params: Any) -> MemoFilter:
    """The filters of the memos page (and its DOCX) from its query string."""
    about = params.get("about", "")
    return MemoFilter(
        about=about if about in KINDS else "",
        q=params.get("q", "")[:200],
        transcript_id=_int(params.get("transcript")),
        participant_id=_int(params.get("participant")),
        code_id=_int(params.get("code")),
    )


def _words(q: str) -> list[str]:
    return [word for word in q.split() if word][:10]


def memo_list(*, project: Project, filters: MemoFilter) -> QuerySet[Memo]:
    memos = Memo.objects.filter(project=project).select_related(
        "transcript", "participant", "code", "author"
    )
    if filters.about in ("project", "transcript", "participant", "code"):
        memos = memos.filter(about=filters.about)
    elif filters.about == "coding":
        return memos.none()
    if filters.transcript_id:
        memos = memos.filter(transcript_id=filters.transcript_id)
    if filters.participant_id:
        memos = memos.filter(participant_id=filters.participant_id)
    if filters.code_id:
        memos = memos.filter(code_id=filters.code_id)
    for word in _words(filters.q):
        memos = memos.filter(Q(title__icontains=word) | Q(text__icontains=word))
    return memos


def coding_memo_list(*, project: Project, filters: MemoFilter, user: Any) -> QuerySet[Coding]:
    """Codings with a memo, as this user may see them (blind coding hides others')."""
    if filters.about not in ("", "coding") or filters.participant_id:
        return Coding.objects.none()
    codings = codings_visible(
        Coding.objects.filter(transcript__project=project).exclude(memo=""),
        user=user,
        project=project,
    ).select_related("code", "coder", "transcript")
    if filters.transcript_id:
        codings = codings.filter(transcript_id=filters.transcript_id)
    if filters.code_id:
        codings = codings.filter(code_id=filters.code_id)
    for word in _words(filters.q):
        codings = codings.filter(memo__icontains=word)
    return codings.order_by("transcript__order", "transcript_id", "start", "id")


def memo_get_for_user(*, user: Any, project_id: int, memo_id: int, write: bool = False) -> Memo:
    from django.http import Http404

    from transcripts.selectors import project_get_for_user

    project = project_get_for_user(user=user, project_id=project_id, write=write)
    memo = (
        Memo.objects.filter(project=project, pk=memo_id)
        .select_related("transcript", "participant", "code", "author", "project")
        .first()
    )
    if memo is None:
        raise Http404("No such memo.")
    memo.project = project  # with its membership
    return memo
