"""Participants: the table with their attributes, editing one, adding attributes, importing
attributes from a spreadsheet."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import selectors
from ..forms import AttributeCreateForm, AttributeImportForm, ParticipantCreateForm, ParticipantForm
from ..http import HtmxHttpRequest
from ..services import participants


def _list_context(project, **forms) -> dict:
    attributes, rows = selectors.participant_table(project=project)
    return {
        "project": project,
        "membership": project.membership,
        "attributes": attributes,
        "rows": rows,
        "participant_form": forms.get("participant_form") or ParticipantCreateForm(),
        "attribute_form": forms.get("attribute_form") or AttributeCreateForm(),
        "import_form": forms.get("import_form") or AttributeImportForm(),
        "import_errors": forms.get("import_errors", []),
    }


@require_GET
@login_required
def participant_list(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, project_id=project_id)
    return render(request, "transcripts/participant_list.html", _list_context(project))


@require_POST
@login_required
def participant_create(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, project_id=project_id, write=True)
    form = ParticipantCreateForm(request.POST)
    if form.is_valid():
        try:
            participant = participants.participant_create(project=project, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Participant {participant.label} added.")
            return redirect("transcripts:participant_list", project_id=project.pk)
    context = _list_context(project, participant_form=form)
    return render(request, "transcripts/participant_list.html", context, status=400)


@require_POST
@login_required
def attribute_create(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, project_id=project_id, write=True)
    form = AttributeCreateForm(request.POST)
    if form.is_valid():
        try:
            attribute = participants.attribute_create(project=project, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Attribute {attribute.name} added.")
            return redirect("transcripts:participant_list", project_id=project.pk)
    context = _list_context(project, attribute_form=form)
    return render(request, "transcripts/participant_list.html", context, status=400)


@require_POST
@login_required
def participant_attributes_import(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, project_id=project_id, write=True)
    form = AttributeImportForm(request.POST, request.FILES)
    errors: list[str] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = participants.participant_attributes_import(
                project=project, filename=upload.name, data=upload.read()
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(
                request,
                f"Imported {upload.name}: {len(summary.participants_created)} participant(s) "
                f"added, {len(summary.participants_updated)} updated, "
                f"{len(summary.attributes_created)} new attribute(s), "
                f"{summary.values_set} value(s) set.",
            )
            return redirect("transcripts:participant_list", project_id=project.pk)
    context = _list_context(project, import_form=form, import_errors=errors)
    return render(request, "transcripts/participant_list.html", context, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def participant_edit(
    request: HtmxHttpRequest, project_id: int, participant_id: int
) -> HttpResponse:
    write = request.method == "POST"
    participant = selectors.participant_get_for_user(
        user=request.user, project_id=project_id, participant_id=participant_id, write=write
    )
    project = participant.project
    attributes = list(project.attributes.all())
    form = ParticipantForm(
        request.POST if write else None, participant=participant, attributes=attributes
    )
    if write and form.is_valid():
        try:
            participants.participant_update(
                participant=participant,
                label=form.cleaned_data["label"],
                notes=form.cleaned_data["notes"],
                values=form.attribute_values(),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Saved {participant.label}.")
            return redirect("transcripts:participant_list", project_id=project.pk)
    context = {
        "project": project,
        "membership": project.membership,
        "participant": participant,
        "form": form,
    }
    return render(
        request, "transcripts/participant_edit.html", context, status=400 if form.errors else 200
    )
