"""Adjudication: the units coders disagree on, side by side, settled into the agreed set."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from transcripts.http import HtmxHttpRequest
from transcripts.models import Transcript, Turn
from transcripts.selectors import project_get_for_user

from ..models import Adjudication
from ..selectors.adjudication import adjudication_view
from ..selectors.codes import code_tree_flat
from ..selectors.team import transcript_is_blind
from ..services import adjudication as services


def _transcript(request: HtmxHttpRequest, project_id: int, transcript_id: int) -> Transcript:
    project = project_get_for_user(user=request.user, project_id=project_id, owner=True)
    transcript = Transcript.objects.filter(project=project, pk=transcript_id).first()
    if transcript is None:
        raise Http404("No such transcript.")
    transcript.project = project
    return transcript


@require_GET
@login_required
def adjudication_page(
    request: HtmxHttpRequest, project_id: int, transcript_id: int
) -> HttpResponse:
    transcript = _transcript(request, project_id, transcript_id)
    view = adjudication_view(transcript=transcript)
    show_all = request.GET.get("show") == "all"
    context = {
        "project": transcript.project,
        "transcript": transcript,
        "view": view,
        "units": view.units if show_all else view.disagreements,
        "show_all": show_all,
        "code_nodes": code_tree_flat(project=transcript.project),
        "agreed_open": sum(
            1
            for unit in view.units
            if not unit.disagree and unit.adjudication is None and unit.union
        ),
        "blind": transcript_is_blind(transcript=transcript),
        "decisions": Adjudication.Decision,
    }
    return render(request, "coding/adjudication.html", context)


@require_POST
@login_required
def adjudication_decide(
    request: HtmxHttpRequest, project_id: int, transcript_id: int
) -> HttpResponse:
    transcript = _transcript(request, project_id, transcript_id)
    turn_id = request.POST.get("turn", "")
    turn = Turn.objects.filter(
        transcript=transcript, pk=int(turn_id) if turn_id.isdigit() else 0
    ).first()
    if turn is None:
        raise Http404("No such turn.")
    choice = request.POST.get("choice", "")  # "keep:<coder id>", "merge" or "own"
    decision, _, coder = choice.partition(":")
    try:
        services.adjudicate(
            transcript=transcript,
            turn=turn,
            decision=decision,
            user=request.user,
            kept_coder_id=int(coder) if coder.isdigit() else None,
            code_ids=[int(v) for v in request.POST.getlist("code") if v.isdigit()],
            note=request.POST.get("note", "")[:5000],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Settled turn {turn.order + 1} ({turn.speaker_label}).")
    url = reverse("coding:adjudication_page", args=[transcript.project_id, transcript.pk])
    return HttpResponseRedirect(f"{url}#unit-{turn.pk}")


@require_POST
@login_required
def adjudication_accept_agreed(
    request: HtmxHttpRequest, project_id: int, transcript_id: int
) -> HttpResponse:
    transcript = _transcript(request, project_id, transcript_id)
    view = adjudication_view(transcript=transcript)
    added = services.agreed_units_accept(transcript=transcript, user=request.user, units=view.units)
    messages.success(
        request, f"{added} turn(s) on which every coder agreed are now in the agreed set."
    )
    return redirect("coding:adjudication_page", transcript.project_id, transcript.pk)
