"""The team page: who codes which transcript, who has finished, and blind coding."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from transcripts.http import HtmxHttpRequest
from transcripts.models import Role, Transcript
from transcripts.selectors import project_get_for_user, transcript_get_for_user

from ..selectors import team
from ..services import team as services


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@require_GET
@login_required
def team_page(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id)
    writers = [
        m
        for m in project.memberships.select_related("user").order_by("user__username")
        if m.role in (Role.OWNER, Role.CODER)
    ]
    by_transcript = team.assignments_for(project=project)
    whole, blind_ids = team.blind_scope(project=project)
    rows: list[dict[str, Any]] = []
    for transcript in Transcript.objects.filter(project=project).only("id", "name", "order"):
        assigned = {a.coder_id: a for a in by_transcript.get(transcript.pk, [])}
        rows.append(
            {
                "transcript": transcript,
                "blind": whole or transcript.pk in blind_ids,
                "blind_own": transcript.pk in blind_ids,
                "cells": [(member, assigned.get(member.user_id)) for member in writers],
                "done": sum(1 for a in assigned.values() if a.done_at),
                "assigned": len(assigned),
            }
        )
    context = {
        "project": project,
        "writers": writers,
        "rows": rows,
        "whole_blind": whole,
        "is_owner": project.membership.is_owner,
        "phases": list(
            project.blind_phases.select_related("transcript", "started_by", "ended_by")[:20]
        ),
    }
    return render(request, "coding/team.html", context)


@require_POST
@login_required
def assignments_save(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    """The owner's grid of checkboxes: ``assign-<transcript>`` holds the coder ids."""
    project = project_get_for_user(user=request.user, project_id=project_id, owner=True)
    changed = 0
    try:
        for transcript in Transcript.objects.filter(project=project).only("id", "project_id"):
            wanted = [
                int(v) for v in request.POST.getlist(f"assign-{transcript.pk}") if v.isdigit()
            ]
            before = set(transcript.assignments.values_list("coder_id", flat=True))
            if before != set(wanted):
                services.assignments_set(
                    project=project, transcript=transcript, coder_ids=wanted, user=request.user
                )
                changed += 1
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            f"Assignments saved for {changed} transcript(s)." if changed else "Nothing changed.",
        )
    return redirect("coding:team_page", project.pk)


@require_POST
@login_required
def assignment_done(request: HtmxHttpRequest, project_id: int, transcript_id: int) -> HttpResponse:
    """A coder marks their assignment done, or reopens it."""
    transcript = transcript_get_for_user(
        user=request.user, project_id=project_id, transcript_id=transcript_id, write=True
    )
    done = request.POST.get("done") == "1"
    try:
        services.assignment_mark_done(transcript=transcript, user=request.user, done=done)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            f"{transcript.name} is marked done: your codings now count in agreement."
            if done
            else f"{transcript.name} is open again: your codings leave agreement until you "
            "mark it done.",
        )
    return redirect("coding:coding_screen", project_id, transcript.pk)


@require_POST
@login_required
def assignment_reopen(
    request: HtmxHttpRequest, project_id: int, transcript_id: int
) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id, owner=True)
    transcript = transcript_get_for_user(
        user=request.user, project_id=project.pk, transcript_id=transcript_id
    )
    coder = request.POST.get("coder", "")
    try:
        assignment = services.assignment_reopen(
            transcript=transcript, coder_id=int(coder) if coder.isdigit() else 0, user=request.user
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request, f"Reopened {transcript.name} for {assignment.coder.get_username()}."
        )
    return redirect("coding:team_page", project.pk)


@require_POST
@login_required
def blind_toggle(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    """Start or end blind coding, for the whole project or (``transcript``) one transcript."""
    project = project_get_for_user(user=request.user, project_id=project_id, owner=True)
    transcript = None
    raw = request.POST.get("transcript", "")
    if raw.isdigit():
        transcript = transcript_get_for_user(
            user=request.user, project_id=project.pk, transcript_id=int(raw)
        )
    scope = transcript.name if transcript else "the whole project"
    if request.POST.get("action") == "start":
        services.blind_start(project=project, user=request.user, transcript=transcript)
        messages.success(
            request, f"Blind coding is on for {scope}: coders see only their own codings."
        )
    else:
        ended = services.blind_end(project=project, user=request.user, transcript=transcript)
        messages.success(
            request,
            f"Blind coding ended for {scope}: everyone now sees every coder's codings."
            if ended
            else f"{scope.capitalize()} was not in blind coding.",
        )
    return redirect("coding:team_page", project.pk)
