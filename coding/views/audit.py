"""The project's audit trail: every change to codes and codings, for owners."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from transcripts.http import HtmxHttpRequest
from transcripts.models import Transcript
from transcripts.selectors import project_get_for_user

from ..models import AuditEvent, Code
from ..selectors.codes import audit_event_list, audit_users
from ..selectors.screen import places

PER_PAGE = 50
ACTIONS = {
    "create": "created",
    "update": "changed",
    "delete": "deleted",
    "move": "moved",
    "reorder": "reordered",
    "merge": "merged",
    "import": "imported",
    "import_update": "updated by import",
    "accept_suggestion": "accepted a suggestion",
    "restore": "brought back (undo)",
    "unmerge": "brought back (merge undone)",
    "assign": "assigned",
    "unassign": "unassigned",
    "done": "marked done",
    "reopen": "reopened",
    "blind_start": "started",
    "blind_end": "ended",
}
FIELD_LABELS = {
    "inclusion": "inclusion criteria",
    "exclusion": "exclusion criteria",
    "example": "example quote",
    "siblings": "order among siblings",
    "text": "quoted text",
}
REFERENCES = {"parent": "code", "code": "code", "transcript": "transcript", "coder": "user"}
OFFSETS = {"start": "starts at", "end": "ends at"}


@dataclass
class AuditLine:
    event: AuditEvent
    action: str
    subject: str
    changes: list[tuple[str, str, str]]


class _Names:
    """Names for the ids in a page of events, and the places of its codings, in four queries."""

    def __init__(self, project: Any, events: list[AuditEvent]):
        ids = self._ids(events)
        self.places = places(
            transcript_ids={t for t, _ in self._offsets(events)}, offsets=self._offsets(events)
        )
        self.names = {
            "code": dict(
                Code.objects.filter(project=project, pk__in=ids["code"]).values_list("pk", "name")
            ),
            "transcript": dict(
                Transcript.objects.filter(project=project, pk__in=ids["transcript"]).values_list(
                    "pk", "name"
                )
            ),
            "user": dict(
                get_user_model().objects.filter(pk__in=ids["user"]).values_list("pk", "username")
            ),
        }

    def _ids(self, events: list[AuditEvent]) -> dict[str, set[int]]:
        ids: dict[str, set[int]] = {"code": set(), "transcript": set(), "user": set()}
        self.deleted_codes: dict[int, str] = {}
        for event in events:
            if event.object_type == "code" and event.object_id:
                ids["code"].add(event.object_id)
                name = (event.before or {}).get("name") or (event.after or {}).get("name")
                if name:
                    self.deleted_codes[event.object_id] = name
            for snapshot in (event.before or {}, event.after or {}):
                for field, kind in REFERENCES.items():
                    if isinstance(snapshot.get(field), int):
                        ids[kind].add(snapshot[field])
        return ids

    @staticmethod
    def _offsets(events: list[AuditEvent]) -> set[tuple[int, int]]:
        return {
            (snapshot["transcript"], snapshot[field])
            for event in events
            if event.object_type == "coding"
            for snapshot in (event.before or {}, event.after or {})
            if isinstance(snapshot.get("transcript"), int)
            for field in OFFSETS
            if isinstance(snapshot.get(field), int)
        }

    def of(self, kind: str, ident: Any) -> str:
        if ident is None or ident == "":
            return "(top level)" if kind == "code" else ""
        name = self.names[kind].get(ident)
        if name is None and kind == "code":
            name = self.deleted_codes.get(ident)
        return str(name) if name is not None else f"#{ident} (deleted)"


def _show(field: str, value: Any, names: _Names, snapshot: dict[str, Any]) -> str:
    if field in REFERENCES:
        return names.of(REFERENCES[field], value)
    if field in OFFSETS and isinstance(value, int):
        transcript = snapshot.get("transcript")
        place = names.places.get((transcript, value), "") if isinstance(transcript, int) else ""
        return f"{place} (character {value})" if place else f"character {value}"
    if isinstance(value, list):
        return " · ".join(str(item) for item in value)
    if value is None:
        return ""
    return str(value)


def _subject(event: AuditEvent, names: _Names, snapshot: dict[str, Any]) -> str:
    if event.object_type == "code":
        return f"code “{snapshot.get('name') or names.of('code', event.object_id)}”"
    if event.object_type == "assignment":
        return (
            f"{snapshot.get('coder', '')}'s coding of "
            f"{names.of('transcript', snapshot.get('transcript'))}"
        )
    if event.object_type == "blindphase":
        where = snapshot.get("transcript")
        return "blind coding of " + (
            names.of("transcript", where) if where else "the whole project"
        )
    if event.object_type == "membership":
        return f"member {snapshot.get('member', '')}"
    if event.object_type == "matrixcellsummary":
        return (
            f"matrix summary of {names.of('code', snapshot.get('code'))} "
            f"for {snapshot.get('case', 'a case')}"
        )
    text = str(snapshot.get("text", ""))
    quote = text if len(text) <= 80 else text[:77] + "…"
    return (
        f"coding “{quote}” in {names.of('transcript', snapshot.get('transcript'))} "
        f"({names.of('code', snapshot.get('code'))})"
    )


def _changes(event: AuditEvent, names: _Names) -> list[tuple[str, str, str]]:
    before, after = event.before or {}, event.after or {}
    if event.object_type in ("assignment", "blindphase"):
        return []  # the subject says it all
    if event.object_type == "code" and "merged_into" in after:
        return [("merged into", "", str(after.get("merged_into_name", "")))]
    summary = event.object_type == "matrixcellsummary"
    changes = []
    for field in (f for f in dict.fromkeys([*before, *after]) if f != "id"):
        if summary and field in ("code", "case"):
            continue  # named in the subject
        old = _show(field, before.get(field), names, before) if before else ""
        new = _show(field, after.get(field), names, after) if after else ""
        if old != new and (old or new):
            label = "summary" if summary else FIELD_LABELS.get(field, OFFSETS.get(field, field))
            changes.append((label, old, new))
    return changes


def _describe(event: AuditEvent, names: _Names) -> AuditLine:
    snapshot = event.after or event.before or {}
    return AuditLine(
        event=event,
        action=ACTIONS.get(event.action, event.action),
        subject=_subject(event, names, snapshot),
        changes=_changes(event, names),
    )


@require_GET
@login_required
def audit_log(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id, owner=True)
    user_filter = request.GET.get("user", "")
    object_type = request.GET.get("type", "")
    events = audit_event_list(
        project=project,
        user_id=int(user_filter) if user_filter.isdigit() else None,
        object_type=object_type if object_type in ("code", "coding") else "",
    )
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    names = _Names(project, list(page.object_list))
    context = {
        "project": project,
        "page": page,
        "lines": [_describe(event, names) for event in page.object_list],
        "users": audit_users(project=project),
        "user_filter": user_filter,
        "object_type": object_type,
    }
    return render(request, "coding/audit_log.html", context)
