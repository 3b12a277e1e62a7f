"""Candidate themes: cluster uncoded material, then promote or dismiss each candidate."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from transcripts.http import HtmxHttpRequest
from transcripts.selectors import project_get_for_user
from transcripts.views.jobs import job_partial_context

from .. import selectors, services
from ..forms import PromoteForm, TranscriptChoiceForm
from ..models import CandidateQuote, CandidateTheme, SuggestionRun

QUOTES_SHOWN = 5


def _with_quotes(candidates):
    return candidates.prefetch_related(
        Prefetch(
            "quotes",
            queryset=CandidateQuote.objects.filter(rank__lt=QUOTES_SHOWN).select_related(
                "transcript"
            ),
            to_attr="top_quotes",
        )
    )


@require_GET
@login_required
def candidates(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id)
    status = request.GET.get("status") or CandidateTheme.Status.OPEN
    if status not in CandidateTheme.Status.values:
        status = CandidateTheme.Status.OPEN
    context = {
        "project": project,
        "membership": project.membership,  # type: ignore[attr-defined]
        "candidates": _with_quotes(selectors.candidate_list(project=project, status=status)),
        "status": status,
        "statuses": CandidateTheme.Status.choices,
        "run_form": TranscriptChoiceForm(project=project),
        "job": selectors.run_latest(project=project, kind=SuggestionRun.Kind.CLUSTER),
    }
    if request.htmx and request.htmx.target == "candidate-list":
        return render(request, "themes/candidates.html#candidate_list", context)
    return render(request, "themes/candidates.html", context)


@require_POST
@login_required
def candidate_run_start(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id, write=True)
    form = TranscriptChoiceForm(request.POST, project=project)
    if not form.is_valid():
        messages.error(request, "Choose at least one transcript to look for candidate themes in.")
        return redirect("themes:candidates", project_id=project.pk)
    job = services.candidate_run_start(
        project=project, user=request.user, transcripts=list(form.cleaned_data["transcripts"])
    )
    job.refresh_from_db()
    if request.htmx:
        return render(request, "jobs/job.html#job", job_partial_context(job))
    return redirect("themes:candidates", project_id=project.pk)


def _candidate(
    request: HtmxHttpRequest, candidate: CandidateTheme, error: str = ""
) -> HttpResponse:
    project = candidate.project
    if request.htmx:
        candidate = _with_quotes(CandidateTheme.objects.filter(pk=candidate.pk)).get()
        context = {
            "c": candidate,
            "project": project,
            "membership": project.membership,  # type: ignore[attr-defined]
            "error": error,
        }
        return render(request, "themes/candidates.html#candidate", context)
    if error:
        messages.error(request, error)
    return redirect("themes:candidates", project_id=candidate.project_id)


@require_POST
@login_required
def candidate_promote(request: HtmxHttpRequest, project_id: int, candidate_id: int) -> HttpResponse:
    candidate = selectors.candidate_get_for_user(
        user=request.user, project_id=project_id, candidate_id=candidate_id, write=True
    )
    project = candidate.project
    form = PromoteForm(request.POST)
    form.is_valid()
    try:
        code = services.candidate_promote(
            candidate=candidate,
            user=request.user,
            name=form.cleaned_data.get("name", ""),
            definition=form.cleaned_data.get("definition", ""),
        )
    except ValidationError as exc:
        return _candidate(request, candidate, error=" ".join(exc.messages))
    candidate.refresh_from_db()
    candidate.project = project
    if not request.htmx:
        messages.success(request, f"Added {code.name!r} to the framework.")
    return _candidate(request, candidate)


@require_POST
@login_required
def candidate_dismiss(request: HtmxHttpRequest, project_id: int, candidate_id: int) -> HttpResponse:
    candidate = selectors.candidate_get_for_user(
        user=request.user, project_id=project_id, candidate_id=candidate_id, write=True
    )
    project = candidate.project
    try:
        services.candidate_dismiss(candidate=candidate, user=request.user)
    except ValidationError as exc:
        return _candidate(request, candidate, error=" ".join(exc.messages))
    candidate.refresh_from_db()
    candidate.project = project
    return _candidate(request, candidate)
