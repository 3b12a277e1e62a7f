"""Text search across a project's transcripts, and coding a hit from the results."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from transcripts.http import HtmxHttpRequest
from transcripts.models import Transcript, Turn
from transcripts.selectors import project_get_for_user

from ..screen_forms import CodeHitForm
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
    hit_codes(hits=hits)
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
