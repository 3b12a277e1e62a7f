"""REFI-QDA exchange pages: export a project or its framework, import a project or codebook."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jobs.services import JobsUnavailable, job_refresh_stale
from transcripts.http import HtmxHttpRequest
from transcripts.selectors import job_get_for_user, project_get_for_user

from ..refi.codebook import codebook_import
from ..refi.forms import ExchangeFileForm, ProjectImportForm
from ..refi.services import codebook_qdc_bytes, project_qdpx_bytes, qdpx_check, qdpx_import_start
from ..refi.xml import RefiError


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def qdpx_export(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id)
    name = f"{slugify(project.name) or 'project'}.qdpx"
    archive = project_qdpx_bytes(project=project, viewer=request.user)
    return _download(archive, name, "application/zip")


@require_GET
@login_required
def qdc_export(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id)
    name = f"{slugify(project.name) or 'project'}-framework.qdc"
    try:
        content = codebook_qdc_bytes(project=project)
    except RefiError as exc:
        messages.error(request, str(exc))
        return redirect("transcripts:project_detail", project_id=project.pk)
    return _download(content, name, "application/xml")


@require_POST
@login_required
def qdc_import(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id, write=True)
    form = ExchangeFileForm(request.POST, request.FILES, suffixes=(".qdc", ".qdpx", ".xml"))
    if not form.is_valid():
        for error in form.errors.get("file", ["Choose a .qdc file."]):
            messages.error(request, str(error))
        return redirect("transcripts:project_detail", project_id=project.pk)
    upload = form.cleaned_data["file"]
    try:
        report = codebook_import(
            project=project, user=request.user, data=upload.read(), filename=upload.name
        )
    except RefiError as exc:
        messages.error(request, f"Nothing was imported. {exc}")
    else:
        messages.success(
            request,
            f"Codebook {upload.name}: {report['added']} code(s) added, {report['updated']} "
            f"updated, {report['unchanged']} unchanged. {' '.join(report['notes'])}".strip(),
        )
    return redirect("transcripts:project_detail", project_id=project.pk)


@require_http_methods(["GET", "POST"])
@login_required
def qdpx_import(request: HtmxHttpRequest) -> HttpResponse:
    """Check the file at once (a bad file creates nothing), then import it on the job
    mechanism into a new project owned by the importing user."""
    form = ProjectImportForm(request.POST or None, request.FILES or None, suffixes=(".qdpx",))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            plan = qdpx_check(data=data, filename=upload.name)
        except RefiError as exc:
            form.add_error("file", f"Nothing was imported. {exc}")
        else:
            try:
                job = qdpx_import_start(
                    data=data,
                    filename=upload.name,
                    name=form.cleaned_data["name"] or plan.name,
                    user=request.user,
                )
            except JobsUnavailable as exc:
                form.add_error(None, exc)
            else:
                return redirect(
                    "coding:qdpx_import_status", project_id=job.project_id, job_id=job.pk
                )
    return render(request, "coding/refi_import.html", {"form": form})


@require_GET
@login_required
def qdpx_import_status(request: HtmxHttpRequest, project_id: int, job_id: int) -> HttpResponse:
    job = job_get_for_user(user=request.user, project_id=project_id, job_id=job_id)
    if job.kind != "coding.refi_import":
        raise Http404("No such REFI-QDA import.")
    job = job_refresh_stale(job=job)
    template = "coding/refi_import_status.html"
    project = job.project
    empty = job.status == "failed" and not (
        project.transcripts.exists() or project.codes.exists() or project.participants.exists()
    )
    context = {"job": job, "project": project, "report": job.result, "project_empty": empty}
    return render(request, f"{template}#status" if request.htmx else template, context)
