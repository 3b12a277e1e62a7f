"""The transcript list, the reading page, its group metadata and the original file."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from .. import selectors
from ..forms import GroupAttributeForm, TranscriptMetaForm
from ..http import HtmxHttpRequest


@require_GET
@login_required
def transcript_list(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, project_id=project_id)
    transcripts = list(selectors.transcript_list(project=project))
    attributes, values = selectors.group_values_table(project=project, transcripts=transcripts)
    context = {
        "project": project,
        "membership": project.membership,
        "transcripts": [(t, values.get(t.pk, [])) for t in transcripts],
        "group_attributes": attributes,
        "group_attribute_form": GroupAttributeForm(),
        "batches": selectors.import_batch_list(project=project)[:5],
    }
    return render(request, "transcripts/transcript_list.html", context)


@require_POST
@login_required
def group_attribute_create(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    from ..services.groups import group_attribute_create as create

    project = selectors.project_get_for_user(user=request.user, project_id=project_id, write=True)
    form = GroupAttributeForm(request.POST)
    if form.is_valid():
        try:
            attribute = create(project=project, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"Group attribute {attribute.name!r} added: set each group's value under "
                "Edit details on its page.",
            )
    else:
        messages.error(request, "Give the group attribute a name and a type.")
    return redirect("transcripts:transcript_list", project_id=project.pk)


@require_GET
@login_required
def transcript_detail(
    request: HtmxHttpRequest, project_id: int, transcript_id: int
) -> HttpResponse:
    transcript = selectors.transcript_get_for_user(
        user=request.user, project_id=project_id, transcript_id=transcript_id
    )
    editing = request.GET.get("edit") == "1"
    context: dict[str, Any] = {
        "project": transcript.project,
        "membership": transcript.project.membership,
        "transcript": transcript,
        "form": TranscriptMetaForm(instance=transcript) if editing else None,
        "editing": editing,
        "group_values": selectors.transcript_group_values(transcript=transcript),
    }
    if request.htmx and request.GET.get("edit") is not None:
        return render(request, "transcripts/transcript_detail.html#meta", context)
    context["preamble"], context["rows"] = selectors.transcript_reading(transcript=transcript)
    return render(request, "transcripts/transcript_detail.html", context)


@require_POST
@login_required
def transcript_update(
    request: HtmxHttpRequest, project_id: int, transcript_id: int
) -> HttpResponse:
    transcript = selectors.transcript_get_for_user(
        user=request.user, project_id=project_id, transcript_id=transcript_id, write=True
    )
    form = TranscriptMetaForm(request.POST, instance=transcript)
    saved = form.is_valid()
    if saved:
        from django.db import transaction

        from ..services.groups import group_values_set

        try:
            with transaction.atomic():
                form.save()
                group_values_set(transcript=transcript, values=form.group_values())
        except ValidationError as exc:
            saved = False
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
    context = {
        "project": transcript.project,
        "membership": transcript.project.membership,
        "transcript": transcript,
        "form": form,
        "editing": not saved,
        "group_values": selectors.transcript_group_values(transcript=transcript),
    }
    if request.htmx:
        return render(request, "transcripts/transcript_detail.html#meta", context)
    if saved:
        messages.success(request, f"Saved the details of {transcript.name}.")
        return redirect(
            "transcripts:transcript_detail", project_id=project_id, transcript_id=transcript.pk
        )
    preamble, rows = selectors.transcript_reading(transcript=transcript)
    context |= {"preamble": preamble, "rows": rows}
    return render(request, "transcripts/transcript_detail.html", context, status=400)


@require_GET
@login_required
def transcript_download(request: HtmxHttpRequest, project_id: int, transcript_id: int):
    transcript = selectors.transcript_get_for_user(
        user=request.user, project_id=project_id, transcript_id=transcript_id
    )
    if not transcript.original_file:
        raise Http404("The original file was not kept for this transcript.")
    try:
        stream = transcript.original_file.open("rb")
    except FileNotFoundError:
        raise Http404("The original file is missing from storage.") from None
    name = transcript.original_filename or str(transcript.original_file.name).rsplit("/", 1)[-1]
    return FileResponse(stream, as_attachment=True, filename=name)
