"""The suggestions page: start a run, follow its progress, review the queue per code."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from transcripts.http import HtmxHttpRequest
from transcripts.models import Project
from transcripts.selectors import project_get_for_user, transcript_get_for_user
from transcripts.views.jobs import job_partial_context

from .. import selectors, services
from ..forms import AcceptForm, BulkAcceptForm, QueueFilterForm, SuggestionRunForm
from ..models import Suggestion, SuggestionRun

PAGE_SIZE = 50


def _queue_context(params: QueryDict, project: Project, user: Any) -> dict[str, Any]:
    form = QueueFilterForm(params or None, project=project)
    filters = form.cleaned_data if form.is_valid() else {}
    code = filters.get("code")
    transcript = filters.get("transcript")
    minimum = filters.get("min")
    minimum = services.DEFAULT_THRESHOLD if minimum is None else minimum
    queue = selectors.suggestion_queue(
        project=project,
        min_confidence=minimum,
        code_id=code.pk if code else None,
        transcript_id=transcript.pk if transcript else None,
    )
    page = Paginator(queue, PAGE_SIZE).get_page(params.get("page"))
    page.object_list = selectors.explanations_for_viewer(
        page.object_list, user=user, project=project
    )
    codes = selectors.suggestion_counts_by_code(
        project=project, min_confidence=minimum, transcript_id=transcript.pk if transcript else None
    )
    return {
        "project": project,
        "membership": project.membership,  # type: ignore[attr-defined]
        "filter_form": form,
        "code": code,
        "transcript": transcript,
        "minimum": minimum,
        "page": page,
        "codes": codes,
        "query": _without_page(params),
        "unsure": selectors.run_unsure(project=project),
    }


@require_GET
@login_required
def suggestions(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id)
    context = _queue_context(request.GET, project, request.user)
    context["bulk_undo"] = request.session.pop(_UNDO_KEY.format(project.pk), None)
    if request.htmx and request.htmx.target == "queue":
        return render(request, "themes/suggestions.html#queue", context)
    context["run_form"] = SuggestionRunForm(project=project)
    context["job"] = selectors.run_latest(project=project, kind=SuggestionRun.Kind.SUGGEST)
    return render(request, "themes/suggestions.html", context)


@require_POST
@login_required
def suggestion_run_start(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id, write=True)
    form = SuggestionRunForm(request.POST, project=project)
    if not form.is_valid():
        if request.htmx:  # show the errors in the form itself, not in the progress area
            context = {"project": project, "run_form": form}
            response = render(request, "themes/suggestions.html#run_form", context)
            response["HX-Retarget"], response["HX-Reswap"] = "#run-form", "outerHTML"
            return response
        context = {**_queue_context(request.GET, project, request.user), "run_form": form}
        return render(request, "themes/suggestions.html", context, status=400)
    job = services.suggestion_run_start(
        project=project,
        user=request.user,
        transcripts=list(form.cleaned_data["transcripts"]),
        threshold=form.cleaned_data["threshold"],
    )
    job.refresh_from_db()  # in eager mode it has already run
    if request.htmx:
        return render(request, "jobs/job.html#job", job_partial_context(job))
    return redirect("themes:suggestions", project_id=project.pk)


def _row(request: HtmxHttpRequest, suggestion: Suggestion, error: str = "") -> HttpResponse:
    suggestion = selectors.explanations_for_viewer(
        [suggestion], user=request.user, project=suggestion.project
    )[0]
    context = {"s": suggestion, "project": suggestion.project, "error": error}
    context["membership"] = suggestion.project.membership  # type: ignore[attr-defined]
    if request.htmx:
        if request.POST.get("view") == "panel":
            return render(request, "themes/transcript_suggestions.html#card", context)
        return render(request, "themes/suggestions.html#suggestion", context)
    if error:
        messages.error(request, error)
    return redirect("themes:suggestions", project_id=suggestion.project.pk)


@require_POST
@login_required
def suggestion_accept(
    request: HtmxHttpRequest, project_id: int, suggestion_id: int
) -> HttpResponse:
    suggestion = selectors.suggestion_get_for_user(
        user=request.user, project_id=project_id, suggestion_id=suggestion_id, write=True
    )
    form = AcceptForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        services.suggestion_accept(
            suggestion=suggestion,
            user=request.user,
            quote=data.get("quote") or None,
            start=data.get("start"),
            end=data.get("end"),
        )
    except ValidationError as exc:
        return _row(request, suggestion, error=" ".join(exc.messages))
    project = suggestion.project
    suggestion.refresh_from_db()
    suggestion.project = project
    response = _row(request, suggestion)
    if request.htmx:  # the coding screen re-renders the turns the new coding touched
        changed = {"start": suggestion.start, "end": suggestion.end}
        response["HX-Trigger"] = json.dumps({"codingsChanged": changed})
    return response


@require_POST
@login_required
def suggestion_reject(
    request: HtmxHttpRequest, project_id: int, suggestion_id: int
) -> HttpResponse:
    suggestion = selectors.suggestion_get_for_user(
        user=request.user, project_id=project_id, suggestion_id=suggestion_id, write=True
    )
    try:
        services.suggestion_reject(suggestion=suggestion, user=request.user)
    except ValidationError as exc:
        return _row(request, suggestion, error=" ".join(exc.messages))
    project = suggestion.project
    suggestion.refresh_from_db()
    suggestion.project = project
    response = _row(request, suggestion)
    if request.htmx:  # the coding screen re-renders the turns the new coding touched
        changed = {"start": suggestion.start, "end": suggestion.end}
        response["HX-Trigger"] = json.dumps({"codingsChanged": changed})
    return response


@require_POST
@login_required
def suggestions_bulk_accept(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id, write=True)
    form = BulkAcceptForm(request.POST, project=project)
    if form.is_valid():
        accepted = services.suggestions_accept_bulk(
            project=project,
            code=form.cleaned_data["code"],
            min_confidence=form.cleaned_data["min_confidence"],
            transcript=form.cleaned_data["transcript"],
            user=request.user,
        )
        messages.success(
            request, f"Accepted {len(accepted)} suggestion(s) for {form.cleaned_data['code']}."
        )
        if accepted:  # offered once, on the next view of the queue
            request.session[_UNDO_KEY.format(project.pk)] = {
                "ids": accepted,
                "code": str(form.cleaned_data["code"]),
            }
    else:
        messages.error(request, "Bulk accept needs a code and a confidence between 0 and 1.")
    if request.htmx:
        filters = request.POST.copy()  # the queue keeps the filters it was showing
        context = _queue_context(filters, project, request.user)
        context["bulk_undo"] = request.session.pop(_UNDO_KEY.format(project.pk), None)
        return render(request, "themes/suggestions.html#queue", context)
    return redirect("themes:suggestions", project_id=project.pk)


_UNDO_KEY = "suggestions-bulk-undo-{}"


@require_POST
@login_required
def suggestions_bulk_undo(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    """Undo the bulk accept whose ids the Undo button carries."""
    project = project_get_for_user(user=request.user, project_id=project_id, write=True)
    ids = [int(v) for v in request.POST.get("ids", "").split(",") if v.strip().isdigit()]
    undone = services.suggestions_accept_undo(project=project, user=request.user, ids=ids)
    messages.success(
        request,
        f"Undid {undone} acceptance(s): their codings are removed, the suggestions pending.",
    )
    if request.htmx:
        context = _queue_context(request.POST.copy(), project, request.user)
        return render(request, "themes/suggestions.html#queue", context)
    return redirect("themes:suggestions", project_id=project.pk)


@require_GET
@login_required
def transcript_suggestions(
    request: HtmxHttpRequest, project_id: int, transcript_id: int
) -> HttpResponse:
    """A transcript's pending suggestions, as a panel the coding screen can embed."""
    transcript = transcript_get_for_user(
        user=request.user, project_id=project_id, transcript_id=transcript_id
    )
    project = transcript.project
    minimum = _float(request.GET.get("min"), default=services.DEFAULT_THRESHOLD)
    queue = selectors.suggestion_queue(
        project=project, min_confidence=minimum, transcript_id=transcript.pk
    ).order_by("start", "-confidence", "id")
    context = {
        "project": project,
        "membership": project.membership,  # type: ignore[attr-defined]
        "transcript": transcript,
        "suggestions": selectors.explanations_for_viewer(
            queue[:500], user=request.user, project=project
        ),
        "minimum": minimum,
    }
    template = "themes/transcript_suggestions.html"
    return render(request, f"{template}#panel" if request.htmx else template, context)


def _float(value: str | None, *, default: float) -> float:
    try:
        number = float(value) if value not in (None, "") else default
    except ValueError:
        return default
    return min(max(number, 0.0), 1.0)


def _without_page(params: QueryDict) -> str:
    kept = params.copy()
    kept.pop("page", None)
    kept.pop("csrfmiddlewaretoken", None)
    return kept.urlencode()
