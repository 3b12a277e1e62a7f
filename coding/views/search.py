"""Text search across a project's transcripts, and coding a hit from the results."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from transcripts.http import HtmxHttpRequest
from transcripts.models import Transcript, Turn
from transcripts.selectors import project_get_for_user

from ..models import Coding
from ..screen_forms import CodeAllHitsForm, CodeHitForm
from ..selectors.codes import code_tree_flat
from ..selectors.screen import span_trim
from ..selectors.search import MAX_HITS, hit_codes, search_hits, sentence_span
from ..services import codings


@require_GET
@login_required
def search(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id)
    query = request.GET.get("q", "").strip()
    transcript_ids = [int(v) for v in request.GET.getlist("transcript") if v.isdigit()]
    speakers = [v for v in request.GET.getlist("speaker") if v]
    hits, total = search_hits(
        project=project, query=query, transcript_ids=transcript_ids, speakers=speakers
    )
    hit_codes(hits=hits, user=request.user, project=project)
    context = {
        "project": project,
        "membership": project.membership,
        "query": query,
        "hits": hits,
        "total": total,
        "limit": MAX_HITS,
        "transcripts": Transcript.objects.filter(project=project).only("id", "name", "order"),
        "transcript_ids": transcript_ids,
        "speaker_choices": Turn.objects.filter(transcript__project=project)
        .order_by("speaker_label")
        .values_list("speaker_label", flat=True)
        .distinct(),
        "speakers": speakers,
        "code_nodes": code_tree_flat(project=project),
    }
    if request.htmx:
        return render(request, "coding/search.html#results", context)
    return render(request, "coding/search.html", context)


@require_POST
@login_required
def search_code_hit(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    """Code a hit's sentence (the default: the smallest unit that reads as a quote), its whole
    turn, or only the matched words."""
    project = project_get_for_user(user=request.user, project_id=project_id, write=True)
    form = CodeHitForm(request.POST, project=project)
    coding, error = None, ""
    if form.is_valid():
        scope, transcript_id, hit_start, hit_end = form.cleaned_data["hit"]
        transcript = Transcript.objects.filter(project=project, pk=transcript_id).first()
        try:
            if transcript is None:
                raise ValidationError("That transcript is not in this project.")
            transcript.project = project
            start, end = _hit_span(transcript, hit_start, hit_end, scope)
            coding = codings.coding_apply(
                transcript=transcript,
                start=start,
                end=end,
                code=form.cleaned_data["code"],
                coder=request.user,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(next(iter(form.errors.values())))  # type: ignore[arg-type]
    if request.htmx:
        context = {"project": project, "coding": coding, "error": error}
        return render(request, "coding/search.html#coded", context, status=422 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Coded as {coding.code.name}.")  # type: ignore[union-attr]
    return redirect(
        reverse("coding:search", args=[project.pk])
        + "?"
        + urlencode({"q": request.POST.get("q", "")})
    )


def _hit_span(transcript: Transcript, start: int, end: int, scope: str) -> tuple[int, int]:
    if scope == "match":
        return start, end
    turn = transcript.turns.filter(start__lte=start, end__gte=end).first()
    lo, hi = (turn.start, turn.end) if turn is not None else (0, len(transcript.text))
    if not lo <= start < end <= hi:
        raise ValidationError("The hit is outside the transcript's text.")
    if scope == "turn":
        return span_trim(text=transcript.text, start=lo, end=hi)
    return sentence_span(text=transcript.text, lo=lo, hi=hi, start=start, end=end)


@require_POST
@login_required
def search_code_all(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    """Code every hit of a search, in three steps on one page: ``preview`` lists the passages
    that would be coded (each once, those already coded so left out), ``apply`` codes them in
    one transaction, ``undo`` removes exactly the codings that ``apply`` made."""
    project = project_get_for_user(user=request.user, project_id=project_id, write=True)
    form = CodeAllHitsForm(request.POST, project=project)
    if not form.is_valid():
        failed = {
            "project": project,
            "error": " ".join(str(e) for errs in form.errors.values() for e in errs),
        }
        return render(request, "coding/search.html#code_all", failed, status=422)
    data = form.cleaned_data
    step = request.POST.get("step", "preview")
    if step == "undo":
        return _undo_code_all(request, project, data)
    spans = _code_all_spans(project, data)
    preview = [{"group": t.name, "text": t.text[start:end]} for t, start, end in spans[:50]]
    context: dict[str, Any] = {
        "project": project, "form_data": data, "spans": spans, "preview": preview,
    }  # fmt: skip
    if step == "apply":
        made = []
        with transaction.atomic():
            for transcript, start, end in spans:
                made.append(
                    codings.coding_apply(
                        transcript=transcript, start=start, end=end, code=data["code"],
                        coder=request.user,
                    )
                )  # fmt: skip
        context.update(applied=made, applied_ids=",".join(str(c.pk) for c in made))
    return render(request, "coding/search.html#code_all", context)


def _code_all_spans(project: Any, data: dict[str, Any]) -> list[tuple[Transcript, int, int]]:
    """The distinct passages (sentence, turn or match) of every hit not yet coded with the code."""
    hits, _ = search_hits(
        project=project,
        query=data["q"],
        transcript_ids=[int(pk) for pk in data["transcript"]],
        speakers=list(data["speaker"]),
    )
    seen: set[tuple[int, int, int]] = set()
    spans = []
    for hit in hits:
        hit.transcript.project = project
        try:
            start, end = _hit_span(hit.transcript, hit.start, hit.end, data["scope"])
        except ValidationError:
            continue
        key = (hit.transcript.pk, start, end)
        if (
            key in seen
            or Coding.objects.filter(
                transcript=hit.transcript, code=data["code"], start=start, end=end
            ).exists()
        ):
            continue
        seen.add(key)
        spans.append((hit.transcript, start, end))
    return spans


def _undo_code_all(request: HtmxHttpRequest, project: Any, data: dict[str, Any]) -> HttpResponse:
    ids = [int(v) for v in request.POST.get("applied_ids", "").split(",") if v.isdigit()]
    mine = Coding.objects.filter(
        pk__in=ids, transcript__project=project, coder_id=request.user.pk, code=data["code"]
    ).select_related("transcript__project")
    removed = 0
    with transaction.atomic():
        for coding in mine:
            codings.coding_remove(coding=coding, user=request.user)
            removed += 1
    context = {"project": project, "undone": removed, "form_data": data}
    return render(request, "coding/search.html#code_all", context)
