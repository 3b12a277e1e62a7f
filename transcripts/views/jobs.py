"""The status of any background job, polled by its partial (``jobs/job.html#job``), and its
Cancel. Every app's pages show their jobs through these, or through a view of their own that
renders the same partial (the background exports, with their download)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from jobs.models import Job
from jobs.services import job_cancel, job_refresh_stale, job_rerun

from .. import selectors
from ..http import HtmxHttpRequest


def job_partial_context(job: Job, *, can_cancel: bool = True) -> dict[str, Any]:
    """What ``jobs/job.html#job`` needs to poll this job and offer its Cancel."""
    args = [job.project_id, job.pk]
    context: dict[str, Any] = {
        "job": job,
        "project": job.project,
        "poll_url": reverse("transcripts:job_status", args=args),
    }
    if can_cancel:
        context["cancel_url"] = reverse("transcripts:job_cancel", args=args)
        context["rerun_url"] = reverse("transcripts:job_rerun", args=args)
    return context


@require_GET
@login_required
def job_status(request: HtmxHttpRequest, project_id: int, job_id: int) -> HttpResponse:
    job = selectors.job_get_for_user(user=request.user, project_id=project_id, job_id=job_id)
    job = job_refresh_stale(job=job)
    template = "jobs/job.html#job" if request.htmx else "jobs/job.html"
    return render(request, template, job_partial_context(job))


@require_POST
@login_required
def job_cancel_view(request: HtmxHttpRequest, project_id: int, job_id: int) -> HttpResponse:
    job = selectors.job_get_for_user(
        user=request.user, project_id=project_id, job_id=job_id, write=True
    )
    job_cancel(job=job)
    if request.htmx:
        return render(request, "jobs/job.html#job", job_partial_context(job))
    return redirect("transcripts:job_status", project_id=project_id, job_id=job_id)


@require_POST
@login_required
def job_rerun_view(request: HtmxHttpRequest, project_id: int, job_id: int) -> HttpResponse:
    """Run a failed or cancelled job again from where it stopped (the page's Re-run)."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError

    job = selectors.job_get_for_user(
        user=request.user, project_id=project_id, job_id=job_id, write=True
    )
    try:
        job = job_rerun(job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    back = request.POST.get("next", "")
    if back.startswith(f"/projects/{project_id}/") and "//" not in back:
        return HttpResponseRedirect(back)
    if request.htmx:
        return render(request, "jobs/job.html#job", job_partial_context(job))
    return redirect("transcripts:job_status", project_id=project_id, job_id=job_id)
