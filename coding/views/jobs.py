from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from transcripts.http import HtmxHttpRequest
from transcripts.selectors import project_get_for_user
from transcripts.views.jobs import job_partial_context

from ..services.codings import codings_verify_start


@require_POST
@login_required
def codings_verify(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id, write=True)
    job = codings_verify_start(project=project, user=request.user)
    job.refresh_from_db()  # eager mode has already run it
    if request.htmx:
        return render(request, "jobs/job.html#job", job_partial_context(job))
    return redirect("transcripts:job_status", project_id=project.pk, job_id=job.pk)
