"""The coding screen: a transcript's turns with highlights, and the htmx writes behind it.

Every write answers with the side panel (``#coding-panel``) plus the re-rendered turns it
touched as out-of-band swaps, so the page never reloads. Without htmx it redirects back.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from transcripts.http import HtmxHttpRequest
from transcripts.models import Identifier, Transcript, Turn
from transcripts.selectors import project_get_for_user, transcript_get_for_user

from ..models import AuditEvent, Coding
from ..screen_forms import CodingApplyForm, CodingUpdateForm, TurnApplyForm
from ..selectors import screen, team
from ..selectors.codes import code_tree_flat
from ..services import codings

PAGE = "coding/coding_screen.html"


def _turn_url_prefix(transcript: Transcript) -> str:
    """``.../code/turns/`` to which the turn's id is appended (one reverse, not hundreds)."""
    url = reverse("coding:coding_apply_turn", args=[transcript.project_id, transcript.pk, 0])
    return url.removesuffix("0/")


def _screen_url(transcript: Transcript, coder: str = "") -> str:
    url = reverse("coding:coding_screen", args=[transcript.project_id, transcript.pk])
    return f"{url}?coder={coder}" if coder else url


def _context(request: HtmxHttpRequest, transcript: Transcript) -> dict[str, Any]:
    """What every part of the screen needs: codes, members, whose codings are shown."""
    project = transcript.project
    members = screen.project_member_list(project=project)
    blind = team.transcript_is_blind(transcript=transcript, user=request.user)
    coder_view = screen.coder_view_parse(
        value=request.GET.get("coder") or request.POST.get("coder"),
        user=request.user,
        members=members,
        blind=blind,
    )
    nodes = code_tree_flat(project=project)
    return {
        "project": project,
        "transcript": transcript,
        "membership": project.membership,
        "can_code": project.membership.can_write,
        "is_owner": project.membership.is_owner,
        "members": members,
        "coder_view": coder_view,
        "blind": blind,
        "codes": {node.code.pk: node.code for node in nodes},
        "code_nodes": nodes,
    }


def _respond(
    request: HtmxHttpRequest,
    transcript: Transcript,
    *,
    spans: list[tuple[int, int]],
    codings: list[Coding],
    message: str = "",
    error: str = "",
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The panel plus the turns touched by ``spans`` (out of band); a redirect without htmx."""
    if not request.htmx:
        if error:
            messages.error(request, error)
        elif message:
            messages.success(request, message)
        return redirect(_screen_url(transcript, request.POST.get("coder", "")))
    context = context or _context(request, transcript)
    context.update(panel_codings=screen.codings_placed(codings), message=message, error=error)
    parts = [render_to_string(f"{PAGE}#panel", context, request=request)]
    if spans:
        turns = screen.screen_turns(
            transcript=transcript,
            coder_view=context["coder_view"],
            codes=context["codes"],
            user=request.user,
            turn_url_prefix=_turn_url_prefix(transcript) if context["can_code"] else "",
            start=min(start for start, _ in spans),
            end=max(end for _, end in spans),
        )
        parts.extend(row.html(oob=True) for row in turns)
    return HttpResponse("".join(parts), status=422 if error else 200)


@require_GET
@login_required
def coding_screen(request: HtmxHttpRequest, project_id: int, transcript_id: int) -> HttpResponse:
    transcript = transcript_get_for_user(
        user=request.user, project_id=project_id, transcript_id=transcript_id
    )
    context = _context(request, transcript)
    context["identifier_types"] = Identifier.Type.choices
    context["assignment"] = team.assignment_of(transcript=transcript, user=request.user)
    context["changes_cursor"] = screen.audit_cursor(project=transcript.project)
    context["has_agreed"] = not context["blind"] and team.agreed_set_exists(
        project=transcript.project
    )
    at = request.GET.get("at", "")
    context["windows"] = screen.screen_windows(
        transcript=transcript,
        coder_view=context["coder_view"],
        codes=context["codes"],
        user=request.user,
        turn_url_prefix=_turn_url_prefix(transcript) if context["can_code"] else "",
        at=int(at) if at.isdigit() else 0,
    )
    context["panel_codings"] = []
    return render(request, PAGE, context)


@require_GET
@login_required
def coding_panel(request: HtmxHttpRequest, project_id: int, transcript_id: int) -> HttpResponse:
    """The side panel for the codings named in ``?ids=`` (a clicked passage or margin bar)."""
    transcript = transcript_get_for_user(
        user=request.user, project_id=project_id, transcript_id=transcript_id
    )
    context = _context(request, transcript)
    context["panel_codings"] = screen.codings_placed(
        screen.codings_by_ids(
            transcript=transcript, ids=request.GET.get("ids", ""), user=request.user
        )
    )
    if not request.htmx:
        return redirect(_screen_url(transcript, request.GET.get("coder", "")))
    return render(request, f"{PAGE}#panel", context)


@require_POST
@login_required
def coding_apply(request: HtmxHttpRequest, project_id: int, transcript_id: int) -> HttpResponse:
    """Apply one or more codes to the selected span ``[start, end)`` (code points)."""
    transcript = transcript_get_for_user(
        user=request.user, project_id=project_id, transcript_id=transcript_id, write=True
    )
    form = CodingApplyForm(request.POST, project=transcript.project)
    if not form.is_valid():
        return _respond(request, transcript, spans=[], codings=[], error=_first_error(form))
    data = form.cleaned_data
    start, end = screen.span_trim(text=transcript.text, start=data["start"], end=data["end"])
    return _apply(request, transcript, start=start, end=end, codes=data["codes"], memo=data["memo"])


@require_POST
@login_required
def coding_apply_turn(
    request: HtmxHttpRequest, project_id: int, transcript_id: int, turn_id: int
) -> HttpResponse:
    """Code a whole speaker turn with one action."""
    transcript = transcript_get_for_user(
        user=request.user, project_id=project_id, transcript_id=transcript_id, write=True
    )
    turn = get_object_or_404(Turn, transcript=transcript, pk=turn_id)
    form = TurnApplyForm(request.POST, project=transcript.project)
    if not form.is_valid():
        return _respond(request, transcript, spans=[], codings=[], error=_first_error(form))
    start, end = screen.span_trim(text=transcript.text, start=turn.start, end=turn.end)
    data = form.cleaned_data
    return _apply(request, transcript, start=start, end=end, codes=data["codes"], memo=data["memo"])


def _apply(
    request: HtmxHttpRequest, transcript: Transcript, *, start: int, end: int, codes: Any, memo: str
) -> HttpResponse:
    try:
        with transaction.atomic():
            applied = [
                codings.coding_apply(
                    transcript=transcript,
                    start=start,
                    end=end,
                    code=code,
                    coder=request.user,
                    memo=memo,
                )
                for code in codes
            ]
    except ValidationError as exc:
        return _respond(request, transcript, spans=[], codings=[], error=" ".join(exc.messages))
    message = f"Coded as {', '.join(code.name for code in codes)}."
    context = _context(request, transcript)
    shown = context["coder_view"].coder_ids
    if shown is not None and request.user.pk not in shown:
        message += " You are looking at another coder's codings: choose My codings to see it."
    return _respond(
        request,
        transcript,
        spans=[(start, end)],
        codings=applied,
        message=message,
        context=context,
    )


@require_POST
@login_required
def coding_update(
    request: HtmxHttpRequest, project_id: int, transcript_id: int, coding_id: int
) -> HttpResponse:
    """Change a coding's code, memo or boundaries (a new span, or one word at either edge)."""
    coding = screen.coding_get_for_user(
        user=request.user,
        project_id=project_id,
        transcript_id=transcript_id,
        coding_id=coding_id,
        write=True,
    )
    transcript, before = coding.transcript, (coding.start, coding.end)
    form = CodingUpdateForm(request.POST, project=transcript.project)
    try:
        if not form.is_valid():
            raise ValidationError(_first_error(form))
        codings.coding_update(
            coding=coding,
            user=request.user,
            seen=form.cleaned_data.get("seen") or None,
            **_changes(form, coding),
        )
    except ValidationError as exc:
        coding.refresh_from_db()
        error = " ".join(exc.messages)
        yours = form.data.get("memo", "").strip() if "memo" in form.data else None
        if yours is not None and "Someone changed this" in error and yours != coding.memo:
            error += f" Your memo, not saved: “{yours}”."
        return _respond(request, transcript, spans=[], codings=[coding], error=error)
    spans = [before, (coding.start, coding.end)]
    return _respond(request, transcript, spans=spans, codings=[coding], message="Coding saved.")


def _changes(form: CodingUpdateForm, coding: Coding) -> dict[str, Any]:
    data, text = form.cleaned_data, coding.transcript.text
    changes: dict[str, Any] = {}
    if data.get("code") is not None:
        changes["code"] = data["code"]
    if "memo" in form.data:
        changes["memo"] = data["memo"].strip()
    if data.get("start") is not None:
        changes["start"], changes["end"] = screen.span_trim(
            text=text, start=data["start"], end=data["end"]
        )
    if data.get("nudge"):
        changes["start"], changes["end"] = screen.span_nudge(
            text=text, start=coding.start, end=coding.end, edge=data["nudge"]
        )
    return changes


@require_POST
@login_required
def coding_remove(
    request: HtmxHttpRequest, project_id: int, transcript_id: int, coding_id: int
) -> HttpResponse:
    coding = screen.coding_get_for_user(
        user=request.user,
        project_id=project_id,
        transcript_id=transcript_id,
        coding_id=coding_id,
        write=True,
    )
    transcript, span, name = coding.transcript, (coding.start, coding.end), coding.code.name
    event = codings.coding_remove(coding=coding, user=request.user)
    context = _context(request, transcript)
    context["undo_event"] = event
    return _respond(
        request,
        transcript,
        spans=[span],
        codings=[],
        message=f"Removed {name}.",
        context=context,
    )


@require_POST
@login_required
def coding_restore(
    request: HtmxHttpRequest, project_id: int, transcript_id: int, event_id: int
) -> HttpResponse:
    """Undo a removal, from the panel that reported it: the one who removed it (or an owner)."""
    transcript = transcript_get_for_user(
        user=request.user, project_id=project_id, transcript_id=transcript_id, write=True
    )
    event = get_object_or_404(
        AuditEvent, project=transcript.project, pk=event_id, action="delete", object_type="coding"
    )
    if event.user_id != request.user.pk and not transcript.project.membership.is_owner:  # type: ignore[attr-defined]
        raise PermissionDenied("Only who removed it, or an owner, can bring a coding back.")
    try:
        coding = codings.coding_restore(event=event, user=request.user)
    except ValidationError as exc:
        return _respond(request, transcript, spans=[], codings=[], error=" ".join(exc.messages))
    return _respond(
        request,
        transcript,
        spans=[(coding.start, coding.end)],
        codings=[coding],
        message=f"Brought back {coding.code.name}.",
    )


def _first_error(form: Any) -> str:
    for errors in form.errors.values():
        return " ".join(errors)
    return "The request was not understood."


@require_GET
@login_required
def coding_changes(request: HtmxHttpRequest, project_id: int, transcript_id: int) -> HttpResponse:
    """Polled every 2 s by the screen: ``{"cursor": n, "spans": [[start, end], ...]}``, the
    spans whose codings someone else changed since audit event ``after``. Cheap on purpose (no
    transcript text is read); while the transcript is blind for the user it reports nothing."""
    project = project_get_for_user(user=request.user, project_id=project_id)
    transcript = (
        Transcript.objects.filter(project=project, pk=transcript_id).only("id", "project").first()
    )
    if transcript is None:
        raise Http404("No such transcript.")
    transcript.project = project
    raw = request.GET.get("after", "")
    after = int(raw) if raw.isdigit() else screen.audit_cursor(project=project)
    cursor, spans = screen.coding_changes_since(
        project=project, transcript_id=transcript.pk, after=after, user=request.user
    )
    if spans and team.transcript_is_blind(transcript=transcript, user=request.user):
        spans = []
    response = JsonResponse({"cursor": cursor, "spans": spans})
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def coding_turns(request: HtmxHttpRequest, project_id: int, transcript_id: int) -> HttpResponse:
    """The turns touching ``[start, end)``, as out-of-band swaps: how the screen refreshes its
    highlights when a coding is made elsewhere on the page (e.g. an accepted suggestion). With
    ``window=1``, the window of turns that start there, filling its placeholder as the analyst
    scrolls to it."""
    transcript = transcript_get_for_user(
        user=request.user, project_id=project_id, transcript_id=transcript_id
    )
    try:
        start, end = int(request.GET["start"]), int(request.GET["end"])
    except (KeyError, ValueError):
        return HttpResponse("start and end must be whole numbers.", status=400)
    window = request.GET.get("window") == "1"
    context = _context(request, transcript)
    turns = screen.screen_turns(
        transcript=transcript,
        coder_view=context["coder_view"],
        codes=context["codes"],
        user=request.user,
        turn_url_prefix=_turn_url_prefix(transcript) if context["can_code"] else "",
        start=start,
        end=max(end, start + 1),
        starting_inside=window,
    )
    if window:
        articles = "".join(row.html() for row in turns)
        head = f'<section class="turn-window" data-start="{start}" data-end="{end}">'
        return HttpResponse(f"{head}{articles}</section>")
    return HttpResponse("".join(row.html(oob=True) for row in turns))
