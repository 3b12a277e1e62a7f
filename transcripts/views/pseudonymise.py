"""Pseudonymisation pages: detection, review, apply, the key. Owners only: these pages show
the original words, which coders and viewers never see once replaced."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from ..http import HtmxHttpRequest
from ..models import Identifier, Project
from ..pseudonymise import services
from ..selectors import project_get_for_user
from .jobs import job_partial_context


def _owner_project(request: HtmxHttpRequest, project_id: int) -> Project:
    return project_get_for_user(user=request.user, project_id=project_id, owner=True)


@require_GET
@login_required
def pseudonymise(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = _owner_project(request, project_id)
    status = request.GET.get("status") or None
    if status not in {None, *Identifier.Status.values}:
        status = None
    groups = services.review_groups(project=project, status=status)
    job = project.jobs.filter(kind="transcripts.detect_identifiers").order_by("-id").first()
    counts = dict.fromkeys(Identifier.Status.values, 0)
    counts.update(
        Identifier.objects.filter(project=project)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    context = {
        "project": project,
        "membership": project.membership,  # type: ignore[attr-defined]
        "groups": groups,
        "status": status,
        "counts": counts,
        "types": Identifier.Type.choices,
        "statuses": Identifier.Status.choices,
        "applied": services.pseudonymised_everywhere(project),
        **(job_partial_context(job) if job else {}),
    }
    return render(request, "transcripts/pseudonymise.html", context)


@require_POST
@login_required
def pseudonymise_detect(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = _owner_project(request, project_id)
    services.detection_start(project=project, user=request.user)
    messages.info(request, "Finding identifiers: the list fills in when the job is done.")
    return redirect("transcripts:pseudonymise", project_id=project.pk)


def _identifier(project: Project, identifier_id: int) -> Identifier:
    identifier = Identifier.objects.filter(project=project, pk=identifier_id).first()
    if identifier is None:
        raise Http404("No such identifier.")
    return identifier


@require_POST
@login_required
def identifier_decide(
    request: HtmxHttpRequest, project_id: int, identifier_id: int
) -> HttpResponse:
    project = _owner_project(request, project_id)
    identifier = _identifier(project, identifier_id)
    status = request.POST.get("status") or None
    kind = request.POST.get("type") or None
    pseudonym = request.POST.get("pseudonym")
    try:
        warnings = services.identifier_decide(
            identifier=identifier, user=request.user, status=status, type=kind, pseudonym=pseudonym
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        for warning in warnings:
            messages.warning(request, warning)
    return HttpResponseRedirect(f"{_back(request, project)}#identifier-{identifier.pk}")


@require_POST
@login_required
def identifiers_bulk(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = _owner_project(request, project_id)
    kind, status = request.POST.get("type", ""), request.POST.get("status", "")
    if kind not in Identifier.Type.values or status not in {"accepted", "rejected"}:
        messages.error(request, "Choose a type and accept or reject.")
    else:
        count = services.identifiers_decide_type(
            project=project, user=request.user, type=kind, status=status
        )
        messages.success(
            request, f"{count} {Identifier.Type(kind).label.lower()} identifiers {status}."
        )
    return HttpResponseRedirect(_back(request, project))


@require_POST
@login_required
def identifier_add(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = _owner_project(request, project_id)
    try:
        identifier, count = services.identifier_add(
            project=project,
            user=request.user,
            text=request.POST.get("text", ""),
            type=request.POST.get("type", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(_back(request, project))
    messages.success(
        request, f"Marked “{identifier.surface}” ({count} place{'s' if count != 1 else ''})."
    )
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(back)  # the coding screen it was marked on
    return HttpResponseRedirect(_back(request, project))


@require_POST
@login_required
def identifiers_apply(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = _owner_project(request, project_id)
    result = services.identifiers_apply(project=project, user=request.user)
    messages.success(
        request,
        f"{result['replacements']} replacements in {result['transcripts']} transcripts, "
        f"{result['labels']} speaker or participant labels. Codings still cover the same words.",
    )
    return redirect("transcripts:pseudonymise", project_id=project.pk)


@require_POST
@login_required
def identifier_reverse(
    request: HtmxHttpRequest, project_id: int, identifier_id: int
) -> HttpResponse:
    project = _owner_project(request, project_id)
    identifier = _identifier(project, identifier_id)
    restored = services.identifier_reverse(identifier=identifier, user=request.user)
    messages.success(request, f"Restored the original words in {restored} places.")
    return HttpResponseRedirect(f"{_back(request, project)}#identifier-{identifier.pk}")


@require_GET
@login_required
def pseudonym_key(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = _owner_project(request, project_id)
    response = HttpResponse(
        services.key_csv(project=project), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="pseudonymisation-key-project-{project.pk}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response


def _back(request: HtmxHttpRequest, project: Project) -> str:
    from django.urls import reverse

    url = reverse("transcripts:pseudonymise", args=[project.pk])
    status = request.POST.get("back_status")
    return f"{url}?status={status}" if status in Identifier.Status.values else url
