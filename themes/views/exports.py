"""Pages and downloads for exports and the framework matrix. Every view goes through
``project_get_for_user``: non-members get 404; viewers may export but not write (403)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from coding.models import Code, Coding
from jobs.models import Job
from jobs.services import job_refresh_stale
from transcripts.models import Attribute, Participant, Project, Transcript
from transcripts.selectors import job_get_for_user, project_get_for_user
from transcripts.views.jobs import job_partial_context

from ..exports import services
from ..exports.forms import ExportForm, query_items
from ..exports.matrix import SHOWN_IN_BROWSER, framework_matrix_build
from ..exports.quotes import encode_chunks, quotes_csv_chunks
from ..exports.records import ProjectIndex, quote_count


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _form(request: HtmxHttpRequest, project) -> ExportForm:
    form = ExportForm(request.GET, project=project, viewer=request.user)
    form.is_valid()
    return form


def _invalid(request: HtmxHttpRequest, project, form: ExportForm) -> HttpResponse:
    response = _exports_page(request, project, form)
    response.status_code = 400
    return response


def _exports_page(request: HtmxHttpRequest, project, form: ExportForm) -> HttpResponse:
    items = query_items(form)
    context = {
        "project": project,
        "membership": project.membership,
        "form": form,
        "query": urlencode(items),
        "hidden": items,
        "exports": services.EXPORTS,
        "jobs": project.jobs.filter(kind=services.JOB_KIND).select_related("created_by")[:10],
    }
    if form.is_valid():
        context["match_count"] = quote_count(project, form.export_filters(), ProjectIndex(project))
    template = "themes/exports/exports.html"
    if request.htmx and request.htmx.target == "export-actions":
        template += "#actions"
    return render(request, template, context)


@require_GET
@login_required
def exports_page(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id)
    return _exports_page(request, project, _form(request, project))


@require_GET
@login_required
def export_quotes_csv(
    request: HtmxHttpRequest, project_id: int
) -> HttpResponse | StreamingHttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id)
    form = _form(request, project)
    if not form.is_valid():
        return _invalid(request, project, form)
    chunks = quotes_csv_chunks(project, form.export_filters(), bom=form.cleaned_data["bom"])
    response = StreamingHttpResponse(
        encode_chunks(chunks), content_type=services.CONTENT_TYPES["csv"]
    )
    filename = services.export_filename(project=project, export="quotes_csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def export_file(request: HtmxHttpRequest, project_id: int, export: str) -> HttpResponse:
    """The framework matrix (CSV, XLSX), the report (DOCX, HTML) or the quotes as XLSX,
    written to a temporary file and sent."""
    project = project_get_for_user(user=request.user, project_id=project_id)
    if export not in services.EXPORTS:
        raise Http404("No such export.")
    form = _form(request, project)
    if not form.is_valid():
        return _invalid(request, project, form)
    filename = services.export_filename(project=project, export=export)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / filename
        services.export_write(
            project=project, export=export, form=form, path=path, user=request.user
        )
        content = path.read_bytes()
    extension = export.rsplit("_", 1)[1]
    response = HttpResponse(content, content_type=services.CONTENT_TYPES[extension])
    inline = extension == "html" and request.GET.get("view") == "1"
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def export_job_start(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id)
    form = ExportForm(request.POST, project=project, viewer=request.user)
    if not form.is_valid():
        return _invalid(request, project, form)
    try:
        job = services.export_job_start(
            project=project, user=request.user, export=request.POST.get("export", ""), form=form
        )
    except ValidationError as exc:
        return HttpResponseBadRequest("; ".join(exc.messages))
    job.refresh_from_db()  # eager mode has already run it
    if request.htmx:
        return render(request, "jobs/job.html#job", export_job_context(job, project))
    messages.success(request, "The export is running in the background; it is listed below.")
    return redirect(
        reverse("themes:exports", args=[project.pk]) + "?" + urlencode(query_items(form))
    )


def export_job_context(job: Job, project: Project) -> dict[str, Any]:
    """The job partial for a background export: it polls this view and offers the download."""
    job.project = project  # with the requesting member's membership
    can_write = project.membership.can_write  # type: ignore[attr-defined]
    return {
        **job_partial_context(job, can_cancel=can_write),
        "poll_url": reverse("themes:export_job", args=[job.project_id, job.pk]),
        "job_result_template": "themes/exports/_job_download.html",
    }


@require_GET
@login_required
def export_job(request: HtmxHttpRequest, project_id: int, job_id: int) -> HttpResponse:
    job = job_get_for_user(user=request.user, project_id=project_id, job_id=job_id)
    if job.kind != services.JOB_KIND:
        raise Http404("No such export.")
    project = job.project
    job = job_refresh_stale(job=job)
    return render(request, "jobs/job.html#job", export_job_context(job, project))


@require_GET
@login_required
def export_download(request: HtmxHttpRequest, project_id: int, job_id: int) -> FileResponse:
    job = job_get_for_user(user=request.user, project_id=project_id, job_id=job_id)
    stored = job.result.get("file") if job.kind == services.JOB_KIND else None
    if job.status != job.Status.DONE or not stored or not default_storage.exists(stored):
        raise Http404("This export has no file (yet).")
    filename = job.result.get("filename") or Path(stored).name
    response = FileResponse(
        default_storage.open(stored, "rb"), as_attachment=True, filename=filename
    )
    response["Content-Type"] = services.CONTENT_TYPES.get(
        Path(filename).suffix[1:], "application/octet-stream"
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def framework_matrix(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id)
    form = _form(request, project)
    matrix = None
    if form.is_valid():
        matrix = framework_matrix_build(
            project=project,
            filters=form.export_filters(),
            options=form.matrix_options(),
            quotes_per_cell=SHOWN_IN_BROWSER,
        )
    items = query_items(form)
    context = {
        "project": project,
        "membership": project.membership,  # type: ignore[attr-defined]
        "can_write": project.membership.can_write,  # type: ignore[attr-defined]
        "form": form,
        "matrix": matrix,
        "query": urlencode(items),
        "next": request.get_full_path(),
    }
    return render(request, "themes/exports/matrix.html", context, status=200 if matrix else 400)


@require_POST
@login_required
def matrix_summary_save(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id, write=True)
    code = get_object_or_404(Code, project=project, pk=_int(request.POST.get("code")))
    case, post_fields = _summary_case(request, project)
    text, error = request.POST.get("text", ""), ""
    seen = request.POST.get("seen")  # absent from older pages: no check
    try:
        summary = services.matrix_summary_save(
            project=project, user=request.user, code=code, text=text, seen=seen, **case
        )
        text = summary.text
    except services.SummaryConflict as exc:
        error, text = "; ".join(exc.messages), exc.current
    except ValidationError as exc:
        error = "; ".join(exc.messages)
    if request.htmx:
        context = {
            "project": project,
            "can_write": True,
            "column": code,
            "summary_text": text,
            "post_fields": post_fields,
            "next": request.POST.get("next", ""),
            "error": error,
            "saved": not error,
        }
        template = "themes/exports/matrix.html#summary"
        return render(request, template, context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Summary saved.")
    return redirect(_safe_next(request, project))


def _summary_case(request: HtmxHttpRequest, project) -> tuple[dict, dict[str, str]]:
    """The row a summary belongs to, from the posted fields; other projects' rows are 404."""
    post = request.POST
    case = {
        "case_kind": post.get("case_kind", ""),
        "participant": _get(Participant, project, post.get("participant")),
        "transcript": _get(Transcript, project, post.get("transcript")),
        "attribute": _get(Attribute, project, post.get("attribute")),
        "attribute_value": post.get("attribute_value", ""),
    }
    names = ("case_kind", "participant", "transcript", "attribute", "attribute_value")
    return case, {name: post[name] for name in names if post.get(name)}


@require_POST
@login_required
def matrix_coding_star(request: HtmxHttpRequest, project_id: int, coding_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id, write=True)
    coding = get_object_or_404(
        Coding.objects.select_related("transcript__project"),
        transcript__project=project,
        pk=coding_id,
    )
    coding = services.coding_star_set(
        coding=coding, user=request.user, starred=request.POST.get("starred") == "1"
    )
    if request.htmx:
        return render(
            request,
            "themes/exports/matrix.html#star",
            {
                "project": project,
                "coding_id": coding.pk,
                "starred": coding.starred,
                "can_write": True,
            },
        )
    return redirect(_safe_next(request, project))


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _get(model, project, value: str | None):
    pk = _int(value)
    if pk is None:
        return None
    return get_object_or_404(model, project=project, pk=pk)


def _safe_next(request: HtmxHttpRequest, project) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("themes:framework_matrix", args=[project.pk])


@require_GET
@login_required
def memos_docx(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    """The memos page's memos, with its filters and search, as a DOCX."""
    import io

    from django.utils.text import slugify

    from coding.selectors.memos import memo_filters

    from ..exports.memos import memos_docx_write

    project = project_get_for_user(user=request.user, project_id=project_id)
    out = io.BytesIO()
    memos_docx_write(project=project, filters=memo_filters(request.GET), user=request.user, out=out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    name = f"memos-{slugify(project.name) or project.pk}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
