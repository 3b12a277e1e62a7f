"""Bulk upload: pick files, watch them being read, review, import, read the report."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jobs.services import JobsUnavailable, job_refresh_stale

from .. import selectors
from ..forms import (
    ItemReviewForm,
    SharedDetailsForm,
    SpeakerReviewForm,
    SurveyColumnsForm,
    UploadForm,
)
from ..http import HtmxHttpRequest
from ..importers import ParsedDocument
from ..models import ImportBatch, ImportItem
from ..services import uploads


@require_http_methods(["GET", "POST"])
@login_required
def transcript_upload(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, project_id=project_id, write=True)
    posted = request.method == "POST"
    form = UploadForm(request.POST if posted else None, request.FILES if posted else None)
    too_big = getattr(request, "files_too_big", []) if posted else []  # upload_limits.py
    if posted and (form.is_valid() or (too_big and not request.FILES)):
        files = [(f.name, f) for f in form.cleaned_data.get("files", [])] if form.is_valid() else []
        uploads.import_batches_expire(project=project)  # old unfinished uploads go first
        try:
            batch = uploads.import_batch_create(
                project=project, user=request.user, files=files, too_big=too_big
            )
        except JobsUnavailable as exc:
            form.add_error(None, exc)
        else:
            return redirect("transcripts:import_batch", project_id=project.pk, batch_id=batch.pk)
    context: dict[str, Any] = {
        "project": project,
        "membership": project.membership,
        "form": form,
        "batches": selectors.import_batch_list(project=project)[:10],
        "max_bytes": settings.FG_MAX_UPLOAD_BYTES,
        "max_files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
    }
    return render(request, "transcripts/transcript_upload.html", context)


def _review_forms(batch: ImportBatch, data=None) -> dict:
    items = list(batch.items.defer("parsed").order_by("order", "id"))
    item_forms, survey_forms = {}, {}
    for item in items:
        if item.status not in (ImportItem.Status.READY, ImportItem.Status.EXCLUDED):
            continue
        initial = {
            "include": item.status == ImportItem.Status.READY,
            "name": item.name,
            "kind": item.kind,
            "site": item.site,
            "date": item.date,
            "facilitator": item.facilitator,
            "description": item.description,
            "unwrap": item.unwrap,
        }
        item_forms[item.pk] = ItemReviewForm(data, prefix=f"item-{item.pk}", initial=initial)
        if item.source_format not in ("csv", "xlsx"):
            continue
        headers = (item.preview or {}).get("headers")
        if headers is None:  # read before the headers were kept with the preview
            table = ParsedDocument.from_json(item.parsed).table if item.parsed else None
            headers = table.headers if table is not None else None
        if headers is not None:
            survey_forms[item.pk] = SurveyColumnsForm(
                data,
                prefix=f"survey-{item.pk}",
                headers=headers,
                initial=item.survey_columns,
            )
    summary = uploads.speaker_summary(batch=batch)
    speaker_forms = [
        SpeakerReviewForm(
            data,
            prefix=f"sp-{index}",
            initial={"label": row.label, **batch.speakers.get(row.label, {})},
        )
        for index, row in enumerate(summary)
    ]
    rows = [
        (item, item_forms.get(item.pk), survey_forms.get(item.pk))
        for item in items
        if item.status != ImportItem.Status.ARCHIVE
    ]
    return {
        "item_rows": rows,
        "item_forms": item_forms,
        "survey_forms": survey_forms,
        "speaker_forms": speaker_forms,
        "speaker_summary": summary,
        "shared_form": SharedDetailsForm(data, prefix="all"),
    }


def _batch_context(batch: ImportBatch, forms: dict | None = None) -> dict:
    for job in (batch.read_job, batch.import_job):
        if job is not None:
            job_refresh_stale(job=job)
    project = batch.project
    context: dict[str, Any] = {
        "project": project,
        "membership": project.membership,
        "batch": batch,
        "job": batch.import_job or batch.read_job,
        "counts": uploads._counts(batch),
    }
    if batch.status == ImportBatch.Status.REVIEW:
        context |= forms or _review_forms(batch)
        speakers = {row.label: row for row in context["speaker_summary"]}
        context["speaker_rows"] = [
            (f, speakers.get(f.initial["label"])) for f in context["speaker_forms"]
        ]
        context["participant_labels"] = project.participants.values_list("label", flat=True)
    else:
        # The report needs no file's parsed text (150 MB of JSON for the largest upload).
        items = batch.items.exclude(status=ImportItem.Status.ARCHIVE).defer("parsed")
        context["item_rows"] = [(item, None, None) for item in items.order_by("order", "id")]
    return context


@require_GET
@login_required
def import_batch(request: HtmxHttpRequest, project_id: int, batch_id: int) -> HttpResponse:
    batch = selectors.import_batch_get_for_user(
        user=request.user, project_id=project_id, batch_id=batch_id
    )
    context = _batch_context(batch)
    if request.htmx:
        return render(request, "transcripts/import_batch.html#batch", context)
    return render(request, "transcripts/import_batch.html", context)


@require_POST
@login_required
def import_batch_review(request: HtmxHttpRequest, project_id: int, batch_id: int) -> HttpResponse:
    """Save the review; with ``action=import`` also start the import."""
    batch = selectors.import_batch_get_for_user(
        user=request.user, project_id=project_id, batch_id=batch_id, write=True
    )
    if batch.status != ImportBatch.Status.REVIEW:
        messages.error(request, "This upload is no longer being reviewed.")
        return redirect("transcripts:import_batch", project_id=project_id, batch_id=batch.pk)
    forms = _review_forms(batch, request.POST)
    valid = all(
        f.is_valid()
        for f in [
            *forms["item_forms"].values(),
            *forms["survey_forms"].values(),
            forms["shared_form"],
            *forms["speaker_forms"],
        ]
    )
    if valid:
        items = {pk: dict(f.cleaned_data) for pk, f in forms["item_forms"].items()}
        forms["shared_form"].fill_blanks(items)
        for pk, f in forms["survey_forms"].items():
            items[pk]["survey_columns"] = dict(f.cleaned_data)
        speakers = {f.cleaned_data["label"]: f.cleaned_data for f in forms["speaker_forms"]}
        try:
            uploads.import_batch_review_save(batch=batch, items=items, speakers=speakers)
            if request.POST.get("action") == "import":
                uploads.import_batch_confirm(batch=batch, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("transcripts:import_batch", project_id=project_id, batch_id=batch.pk)
    messages.error(request, "Some details need correcting: see the highlighted fields.")
    context = _batch_context(batch, forms)
    return render(request, "transcripts/import_batch.html", context, status=400)


@require_POST
@login_required
def import_batch_discard(request: HtmxHttpRequest, project_id: int, batch_id: int) -> HttpResponse:
    batch = selectors.import_batch_get_for_user(
        user=request.user, project_id=project_id, batch_id=batch_id, write=True
    )
    try:
        uploads.import_batch_discard(batch=batch)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("transcripts:import_batch", project_id=project_id, batch_id=batch.pk)
    messages.success(request, "Upload discarded.")
    return redirect("transcripts:transcript_upload", project_id=project_id)
