from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from config.htmx import HtmxHttpRequest
from transcripts.jobs import job_create, job_enqueue
from transcripts.selectors import project_get_for_user

from ..tasks import coding_verify_task


@require_POST
@login_required
def codings_verify_start(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id, write=True)
    job = job_create(project=project, kind="coding.verify", user=request.user)
    job_enqueue(job=job, task=coding_verify_task)
    job.refresh_from_db()  # eager mode has already run it
    if request.htmx:
        return render(request, "transcripts/job.html#job", {"job": job, "project": project})
    return redirect("job_status", project_id=project.pk, job_id=job.pk)
