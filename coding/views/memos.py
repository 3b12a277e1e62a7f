"""The memos page: every memo of the project (about it, a transcript, a participant, a code) and
every coding's memo, filtered and searched; writing, editing (no lost updates) and deleting."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from transcripts.http import HtmxHttpRequest
from transcripts.models import Participant, Project, Transcript
from transcripts.selectors import project_get_for_user

from ..models import Code, Memo
from ..selectors.codes import code_path
from ..selectors.memos import (
    MemoFilter,
    coding_memo_list,
    memo_filters,
    memo_get_for_user,
    memo_list,
)
from ..services.audit import fingerprint
from ..services.memos import memo_create, memo_delete, memo_subject_parse, memo_update
from .framework import errors_to_form

SHOWN = 200  # of each list; the search narrows it


class MemoForm(forms.Form):
    subject = forms.ChoiceField(label="About")
    title = forms.CharField(max_length=200)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False, label="Memo")
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = subject_choices(project)  # type: ignore[attr-defined]


def subject_choices(project: Project) -> list[Any]:
    codes = {code.pk: code for code in Code.objects.filter(project=project)}
    return [
        ("project", "The project"),
        (
            "Transcripts",
            [(f"transcript:{t.pk}", t.name) for t in Transcript.objects.filter(project=project)],
        ),
        (
            "Participants",
            [(f"participant:{p.pk}", p.label) for p in Participant.objects.filter(project=project)],
        ),
        (
            "Codes",
            sorted(
                ((f"code:{pk}", code_path(code=c, by_id=codes)) for pk, c in codes.items()),
                key=lambda choice: choice[1].casefold(),
            ),
        ),
    ]


def _subject_of(filters: MemoFilter) -> str:
    """A new memo is about what the list is narrowed to."""
    for kind in ("transcript", "participant", "code"):
        pk = getattr(filters, f"{kind}_id")
        if pk:
            return f"{kind}:{pk}"
    return "project"


def _can_edit(project: Project, memo: Memo, user: Any) -> bool:
    membership = project.membership  # type: ignore[attr-defined]
    return membership.is_owner or (membership.can_write and memo.author_id == user.pk)


def _page(request: HtmxHttpRequest, project: Project, form: MemoForm | None = None) -> HttpResponse:
    filters = memo_filters(request.GET)
    memos = list(memo_list(project=project, filters=filters)[: SHOWN + 1])
    codings = list(
        coding_memo_list(project=project, filters=filters, user=request.user)[: SHOWN + 1]
    )
    can_write = project.membership.can_write  # type: ignore[attr-defined]
    if form is None and can_write:
        form = MemoForm(project=project, initial={"subject": _subject_of(filters)})
    context = {
        "project": project,
        "membership": project.membership,  # type: ignore[attr-defined]
        "filters": filters,
        "memos": [(memo, _can_edit(project, memo, request.user)) for memo in memos[:SHOWN]],
        "codings": codings[:SHOWN],
        "more": len(memos) > SHOWN or len(codings) > SHOWN,
        "shown": SHOWN,
        "form": form,
        "query": request.GET.urlencode(),
    }
    return render(request, "coding/memos.html", context)


@require_GET
@login_required
def memos_page(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id)
    return _page(request, project)


@require_POST
@login_required
def memo_new(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id, write=True)
    form = MemoForm(request.POST, project=project)
    if form.is_valid():
        try:
            subject = memo_subject_parse(project=project, value=form.cleaned_data["subject"])
            memo = memo_create(project=project, subject=subject, title=form.cleaned_data["title"],
                               text=form.cleaned_data["text"], user=request.user)  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"Memo {memo.title!r} saved.")
            url = reverse("coding:memos", args=[project.pk])
            return HttpResponseRedirect(f"{url}#memo-{memo.pk}")
    return _page(request, project, form)


@require_http_methods(["GET", "POST"])
@login_required
def memo_edit(request: HtmxHttpRequest, project_id: int, memo_id: int) -> HttpResponse:
    memo = memo_get_for_user(user=request.user, project_id=project_id, memo_id=memo_id, write=True)
    project = memo.project
    if not _can_edit(project, memo, request.user):
        messages.error(request, "Only the memo's author or an owner can change it.")
        return redirect("coding:memos", project_id=project.pk)
    initial = {"subject": _subject_value(memo), "title": memo.title, "text": memo.text,
               "seen": fingerprint(memo)}  # fmt: skip
    form = MemoForm(request.POST or None, project=project, initial=initial)
    form.fields["subject"].disabled = True  # a memo stays about what it was written on
    if request.method == "POST" and form.is_valid():
        try:
            memo_update(memo=memo, title=form.cleaned_data["title"], text=form.cleaned_data["text"],
                        user=request.user, seen=form.cleaned_data["seen"])  # fmt: skip
        except ValidationError as exc:
            memo.refresh_from_db()
            theirs = {"subject": _subject_value(memo), "title": memo.title, "text": memo.text,
                      "seen": fingerprint(memo)}  # fmt: skip
            conflict = MemoForm(project=project, initial=theirs)
            conflict.fields["subject"].disabled = True
            context = {"project": project, "memo": memo, "form": conflict,
                       "error": " ".join(exc.messages), "mine": form.cleaned_data}  # fmt: skip
            return render(request, "coding/memo_edit.html", context)
        messages.success(request, f"Memo {memo.title!r} saved.")
        url = reverse("coding:memos", args=[project.pk])
        return HttpResponseRedirect(f"{url}#memo-{memo.pk}")
    return render(
        request, "coding/memo_edit.html", {"project": project, "memo": memo, "form": form}
    )


def _subject_value(memo: Memo) -> str:
    for kind in ("transcript", "participant", "code"):
        pk = getattr(memo, f"{kind}_id")
        if pk:
            return f"{kind}:{pk}"
    return "project"


@require_POST
@login_required
def memo_remove(request: HtmxHttpRequest, project_id: int, memo_id: int) -> HttpResponse:
    memo = memo_get_for_user(user=request.user, project_id=project_id, memo_id=memo_id, write=True)
    if not _can_edit(memo.project, memo, request.user):
        messages.error(request, "Only the memo's author or an owner can delete it.")
    else:
        title = memo.title
        memo_delete(memo=memo, user=request.user)
        messages.success(request, f"Memo {title!r} deleted.")
    return redirect("coding:memos", project_id=project_id)
