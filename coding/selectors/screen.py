"""Reads for the coding screen: a transcript's turns and the codings a user chose to see.

Callers have already checked membership through ``transcripts.selectors``; everything here is
scoped to that project or transcript.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404

from transcripts.models import Membership, Project, Role, Transcript, Turn
from transcripts.selectors import project_get_for_user

from ..highlights import Span, TurnView, turn_views
from ..models import Code, Coding
from .team import AGREED, CODERS, coding_set, codings_visible

ALL_CODERS = "all"
MY_CODINGS = "me"


@dataclass
class CoderView:
    """Whose codings the screen shows: ``"me"``, ``"all"`` or one member's user id."""

    value: str
    coder_ids: list[int] | None  # None: every coder
    label: str
    agreed: bool = False  # the agreed (adjudicated) set instead of coders' own codings


def coder_view_parse(
    *, value: str | None, user: Any, members: list[Membership], blind: bool = False
) -> CoderView:
    """Whose codings to show. On a blind transcript (for this user) only their own."""
    by_id = {m.user_id: m for m in members}
    mine = user.pk if user.pk in by_id else None
    if blind:
        return CoderView(MY_CODINGS, [user.pk], "My codings (blind coding)")
    if not value:
        # Viewers have no codings of their own: show them everybody's.
        value = MY_CODINGS if mine is not None and by_id[mine].can_write else ALL_CODERS
    if value == ALL_CODERS:
        return CoderView(ALL_CODERS, None, "All coders")
    if value == AGREED:
        return CoderView(AGREED, None, "The agreed set", agreed=True)
    if value == MY_CODINGS or value == str(user.pk):
        return CoderView(MY_CODINGS, [user.pk], "My codings")
    if value.isdigit() and int(value) in by_id:
        member = by_id[int(value)]
        return CoderView(value, [member.user_id], f"{member.user.get_username()}'s codings")
    raise Http404("That person is not a member of this project.")


def project_member_list(*, project: Project) -> list[Membership]:
    return list(project.memberships.select_related("user").order_by("user__username"))


def code_map(*, project: Project) -> dict[int, Code]:
    return {code.pk: code for code in Code.objects.filter(project=project)}


def transcript_spans(
    *, transcript: Transcript, start: int = 0, end: int | None = None
) -> list[Span]:
    """The transcript's turns as spans (those overlapping ``[start, end)`` when given), or the
    whole text as one span when the transcript has no turns."""
    turns: QuerySet[Turn] = transcript.turns.all()
    if end is not None:
        turns = turns.filter(start__lt=max(end, start + 1), end__gte=start)
    rows = turns.order_by("order").values_list(
        "pk",
        "order",
        "start",
        "end",
        "speaker_label",
        "participant__label",
        "is_facilitator",
        "timestamp_start_ms",
    )
    spans = [
        Span(
            pk=pk,
            order=order,
            start=span_start,
            end=span_end,
            speaker_label=speaker,
            participant_label=participant or "",
            is_facilitator=facilitator,
            timestamp_ms=timestamp,
        )
        for pk, order, span_start, span_end, speaker, participant, facilitator, timestamp in rows
    ]
    if not spans and (end is None or not transcript.turns.exists()):
        return [Span(start=0, end=len(transcript.text))]
    return spans


class Mark(NamedTuple):
    """What the highlighter needs of a coding (plain tuples: thousands per page)."""

    pk: int
    start: int
    end: int
    code_id: int
    coder_id: int


def screen_codings(
    *,
    transcript: Transcript,
    coder_ids: list[int] | None,
    start: int = 0,
    end: int | None = None,
    agreed: bool = False,
) -> list[Mark]:
    codings = coding_set(
        Coding.objects.filter(transcript=transcript),
        which=AGREED if agreed else CODERS,
        project=transcript.project,
    )
    if coder_ids is not None:
        codings = codings.filter(coder_id__in=coder_ids)
    if start or end is not None:
        codings = codings.filter(end__gt=start)
        if end is not None:
            codings = codings.filter(start__lt=end)
    rows = codings.order_by().values_list("pk", "start", "end", "code_id", "coder_id")
    return [Mark(*row) for row in rows]


def screen_turns(
    *,
    transcript: Transcript,
    coder_view: CoderView,
    codes: dict[int, Code],
    user: Any,
    turn_url_prefix: str = "",
    start: int = 0,
    end: int | None = None,
    starting_inside: bool = False,
) -> list[TurnView]:
    """The turns (all, or those touching ``[start, end)``) rendered with their codings; with
    ``starting_inside`` only the turns that start in ``[start, end)`` (a window's own)."""
    spans = transcript_spans(transcript=transcript, start=start, end=end)
    if starting_inside and end is not None:
        spans = [s for s in spans if start <= s.start < end] or spans[:1]
    return _render(
        transcript,
        spans,
        coder_view=coder_view,
        codes=codes,
        user=user,
        turn_url_prefix=turn_url_prefix,
    )


# A long transcript is sent in stretches of about this many characters of text: the one the
# analyst opened at (``?at=``, else the first) with its highlights, the others as placeholders
# the browser fills as they scroll into view. The 300,000-character transcript with 5,000
# codings is then about 0.1 MB rather than 5.6 MB (docs/benchmarks.md).
WINDOW_CHARS = 8_000


@dataclass
class Window:
    """A run of whole turns: ``[start, end)`` covers them, ``first``/``last`` are their
    positions among the transcript's turns (1-based, for "turns 41-80")."""

    start: int
    end: int
    first: int
    last: int
    spans: list[Span]
    turns: list[TurnView] | None = None  # rendered; None while it is a placeholder

    @property
    def chars(self) -> int:
        return sum(span.end - span.start for span in self.spans)

    @property
    def height_em(self) -> int:
        """A placeholder's guess at the window's height, so the scrollbar is about right:
        some 90 characters a line of 1.6em, and each turn's head and gap."""
        return round(self.chars / 90 * 1.6 + len(self.spans) * 3.2)


def windows_split(spans: list[Span], budget: int | None = None) -> list[Window]:
    """Cut the spans (in reading order) into windows of at most ``budget`` characters each
    (``WINDOW_CHARS``; a single longer turn is a window of its own)."""
    budget = budget or WINDOW_CHARS
    windows: list[Window] = []
    current: list[Span] = []
    size = 0
    position = 0
    for span in spans:
        length = span.end - span.start
        if current and size + length > budget:
            windows.append(_window(current, position - len(current) + 1))
            current, size = [], 0
        current.append(span)
        size += length
        position += 1
    if current:
        windows.append(_window(current, position - len(current) + 1))
    return windows


def _window(spans: list[Span], first: int) -> Window:
    return Window(
        start=min(s.start for s in spans),
        end=max(s.end for s in spans),
        first=first,
        last=first + len(spans) - 1,
        spans=spans,
    )


def screen_windows(
    *,
    transcript: Transcript,
    coder_view: CoderView,
    codes: dict[int, Code],
    user: Any,
    turn_url_prefix: str = "",
    at: int = 0,
) -> list[Window]:
    """The transcript cut into windows, the one holding offset ``at`` rendered with its
    codings (one query for every turn, one for that window's codings)."""
    windows = windows_split(sorted(transcript_spans(transcript=transcript), key=_reading))
    if not windows:
        return []
    # The window holding ``at``, or the next one when it falls between turns.
    shown = next((w for w in windows if at < w.end), windows[-1])
    shown.turns = _render(
        transcript,
        shown.spans,
        coder_view=coder_view,
        codes=codes,
        user=user,
        turn_url_prefix=turn_url_prefix,
    )
    return windows


def _reading(span: Span) -> tuple[int, int]:
    return span.start, span.order


def _render(
    transcript: Transcript,
    spans: list[Span],
    *,
    coder_view: CoderView,
    codes: dict[int, Code],
    user: Any,
    turn_url_prefix: str,
) -> list[TurnView]:
    codings = screen_codings(
        transcript=transcript,
        coder_ids=coder_view.coder_ids,
        start=min(s.start for s in spans) if spans else 0,
        end=max(s.end for s in spans) if spans else None,
        agreed=coder_view.agreed,
    )
    return turn_views(
        text=transcript.text,
        spans=spans,
        codings=codings,
        codes=codes,
        mine=user.pk if coder_view.coder_ids is None else None,
        turn_url_prefix=turn_url_prefix,
    )


def coding_get_for_user(
    *, user: Any, project_id: int, transcript_id: int, coding_id: int, write: bool = False
) -> Coding:
    """A coding of the transcript. Writing needs a coder or owner role, and a coder may only
    change their own codings (owners may tidy anyone's)."""
    project = project_get_for_user(user=user, project_id=project_id, write=write)
    coding = codings_visible(
        Coding.objects.select_related("transcript", "code", "coder").filter(
            transcript__project=project, transcript_id=transcript_id, pk=coding_id
        ),
        user=user,
        project=project,
    ).first()
    if coding is None:
        raise Http404("No such coding.")
    if write and coding.coder_id != user.pk and project.membership.role != Role.OWNER:
        raise PermissionDenied("This coding belongs to another coder.")
    coding.transcript.project = project
    return coding


def codings_by_ids(*, transcript: Transcript, ids: str, user: Any = None) -> list[Coding]:
    """The transcript's codings named in ``"3 7 12"`` / ``"3,7"`` (others are ignored)."""
    wanted = [int(part) for part in re.split(r"[\s,]+", ids or "") if part.isdigit()][:50]
    codings = Coding.objects.filter(transcript=transcript, pk__in=wanted)
    if user is not None:
        codings = codings_visible(codings, user=user, project=transcript.project)
    return list(codings.select_related("code", "coder").order_by("start", "code__order", "pk"))


# A word keeps its combining marks (Python's \w does not match them).
_WORD = re.compile(r"(?:\w[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]*)+")


def span_trim(*, text: str, start: int, end: int) -> tuple[int, int]:
    """Drop white space at either edge of a selection (double-clicking a word selects the
    space after it). Spans outside the text are left for validation to report."""
    if not 0 <= start < end <= len(text):
        return start, end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def span_nudge(*, text: str, start: int, end: int, edge: str) -> tuple[int, int]:
    """Move one boundary of ``[start, end)`` by one word: ``edge`` is ``start-`` (extend left),
    ``start+`` (shrink from the left), ``end-`` (shrink from the right) or ``end+`` (extend
    right)."""
    if edge == "start-":
        words = [m.start() for m in _WORD.finditer(text, max(0, start - 200), start)]
        start = words[-1] if words else start
    elif edge == "start+":
        current = _WORD.match(text, start)
        match = _WORD.search(text, current.end() if current else start, end)
        if match is None:
            raise ValidationError("The coding cannot shrink further.")
        start = match.start()
    elif edge == "end+":
        match = _WORD.search(text, end, min(len(text), end + 200))
        end = match.end() if match is not None else end
    elif edge == "end-":
        ends = [m.end() for m in _WORD.finditer(text, start, end) if m.end() < end]
        if not ends:
            raise ValidationError("The coding cannot shrink further.")
        end = ends[-1]
    else:
        raise ValidationError(f"Unknown boundary move {edge!r}.")
    return start, end


def turn_place(turn: Any) -> str:
    """Where a turn is, as analysts say it: "turn 4 · P2 · 00:12:31"."""
    parts = [f"turn {turn.order + 1}"]
    who = turn.participant.label if turn.participant_id and turn.participant else turn.speaker_label
    if who:
        parts.append(who)
    if turn.timestamp_start_ms is not None:
        seconds = turn.timestamp_start_ms // 1000
        parts.append(f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}")
    return " · ".join(parts)


FEW_PLACES = 4


def _place_turns(turns: QuerySet[Turn]) -> QuerySet[Turn]:
    return turns.select_related("participant").only(
        "transcript_id",
        "order",
        "start",
        "end",
        "speaker_label",
        "timestamp_start_ms",
        "participant__label",
    )


def _turn_at(transcript_id: int, offset: int) -> Turn | None:
    """The turn holding ``offset``, else the first one after it."""
    turns = _place_turns(Turn.objects.filter(transcript_id=transcript_id))
    before = turns.filter(start__lte=offset).order_by("-start").first()
    if before is not None and offset < max(before.end, before.start + 1):
        return before
    return turns.filter(start__gte=offset).order_by("start").first()


def places(
    *, transcript_ids: set[int], offsets: set[tuple[int, int]]
) -> dict[tuple[int, int], str]:
    """The place (``turn_place``) of each (transcript id, offset): the turn it falls in, else
    the first turn after it (a coding that starts on a speaker label)."""
    found: dict[tuple[int, int], str] = {}
    if len(offsets) <= FEW_PLACES:
        # The panel after a coding: two index seeks a place, not every turn of the transcript.
        for transcript_id, offset in offsets:
            turn = _turn_at(transcript_id, offset)
            if turn is not None:
                found[(transcript_id, offset)] = turn_place(turn)
        return found
    turns: dict[int, list[Any]] = {}
    for turn in _place_turns(Turn.objects.filter(transcript_id__in=transcript_ids)).order_by(
        "transcript_id", "start"
    ):
        turns.setdefault(turn.transcript_id, []).append(turn)
    for transcript_id, offset in offsets:
        rows = turns.get(transcript_id, [])
        inside = next((t for t in rows if t.start <= offset < max(t.end, t.start + 1)), None)
        place = inside or next((t for t in rows if t.start >= offset), None)
        if place is not None:
            found[(transcript_id, offset)] = turn_place(place)
    return found


def codings_placed(codings: list[Coding]) -> list[Coding]:
    """The codings, each with ``place``: where it starts, in turns, speakers and times."""
    where = places(
        transcript_ids={c.transcript_id for c in codings},
        offsets={(c.transcript_id, c.start) for c in codings},
    )
    from ..services.audit import fingerprint

    for coding in codings:
        coding.place = where.get((coding.transcript_id, coding.start), "")  # type: ignore[attr-defined]
        coding.seen = fingerprint(coding)  # type: ignore[attr-defined]
    return codings


def audit_cursor(*, project: Project) -> int:
    """The newest audit event's id: where a screen's "changes since" polling starts."""
    from ..models import AuditEvent

    return (
        AuditEvent.objects.filter(project=project)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
        or 0
    )


def coding_changes_since(
    *, project: Project, transcript_id: int, after: int, user: Any, limit: int = 500
) -> tuple[int, list[tuple[int, int]]]:
    """``(new cursor, spans)``: the spans of this transcript whose codings another member
    created, changed or removed after audit event ``after``. One indexed range read."""
    from ..models import AuditEvent

    rows = list(
        AuditEvent.objects.filter(project=project, pk__gt=after)
        .order_by("pk")
        .values_list("pk", "user_id", "object_type", "before", "after")[:limit]
    )
    if not rows:
        return after, []
    spans = []
    for _pk, author, kind, before, later in rows:
        if kind != "coding" or author == getattr(user, "pk", None):
            continue
        for shot in (before, later):
            if shot and shot.get("transcript") == transcript_id and "start" in shot:
                spans.append((int(shot["start"]), int(shot["end"])))
    return rows[-1][0], spans
