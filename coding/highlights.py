"""Server-side rendering of codings as highlights on a transcript's turns.

Each turn's text is split at every coding boundary that falls inside it; each piece becomes a
``<span class="seg">`` carrying the ids of the codings covering it and a background built from
their colours (one horizontal band per code, so overlaps stay readable). Beside each turn a
margin holds one column per code with a bar per coding, placed at the coding's share of the
turn. Built with plain string operations: a 25,000-word transcript with thousands of codings
renders in a few milliseconds, which the template engine alone could not do.

Offsets are code points into ``Transcript.text`` (end exclusive). The browser maps a selection
back to offsets by counting code points through the text nodes of ``.turn-text``, whose
``data-start`` is the turn's start: nothing else may be put inside that element.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe


@dataclass
class Span:
    """A stretch of the transcript shown as one block: a speaker turn, or the whole text
    of a transcript that has no turns."""

    start: int
    end: int
    pk: int | None = None
    order: int = 0
    speaker_label: str = ""
    participant_label: str = ""
    is_facilitator: bool = False
    timestamp_ms: int | None = None


@dataclass
class TurnView:
    span: Span
    text_html: SafeString
    margin_html: SafeString
    codings: list[Any] = field(default_factory=list)
    turn_url: str = ""  # "code this turn" (empty: no coding controls)

    def html(self, *, oob: bool = False) -> SafeString:
        """The whole ``<article>`` of the turn (built here rather than in a template: the
        screen renders hundreds of them and must stay well under 300 ms)."""
        span = self.span
        head = []
        if span.speaker_label:
            head.append(f'<strong class="speaker">{escape(span.speaker_label)}</strong>')
        if span.participant_label and span.participant_label != span.speaker_label:
            head.append(f'<span class="participant">{escape(span.participant_label)}</span>')
        if self.timestamp:
            head.append(f'<time class="muted">{self.timestamp}</time>')
        if self.turn_url and span.pk is not None:
            head.append(
                f'<button type="submit" form="apply-form" formaction="{self.turn_url}" '
                f'hx-post="{self.turn_url}" hx-include="#apply-form" hx-target="#coding-panel" '
                'class="link turn-code">Code this turn</button>'
            )
        classes = "turn facilitator" if span.is_facilitator else "turn"
        swap = ' hx-swap-oob="true"' if oob else ""
        return mark_safe(
            f'<article class="{classes}" id="{self.dom_id}"{swap}>'
            f'<header class="turn-head">{"".join(head)}</header>'
            f'<div class="turn-body"><div class="margin">{self.margin_html}</div>'
            f'<div class="turn-text" tabindex="0" data-start="{span.start}" data-end="{span.end}">'
            f"{self.text_html}</div></div></article>"
        )

    @property
    def article(self) -> SafeString:
        return self.html()

    @property
    def article_oob(self) -> SafeString:
        return self.html(oob=True)

    @property
    def dom_id(self) -> str:
        return f"turn-{self.span.pk}" if self.span.pk is not None else "turn-all"

    @property
    def timestamp(self) -> str:
        ms = self.span.timestamp_ms
        if ms is None:
            return ""
        seconds = ms // 1000
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}")
GREY = "#999999"


def safe_colour(colour: str | None) -> str:
    """A code's colour as CSS, or grey: it is written into style attributes unescaped."""
    return colour if colour and _COLOUR.fullmatch(colour) else GREY


@lru_cache(maxsize=4096)
def _background(colours: tuple[str, ...]) -> str:
    if len(colours) == 1:
        return f"background:{colours[0]}59"
    share = 100 / len(colours)
    stops = ",".join(
        f"{colour}73 {index * share:.1f}% {(index + 1) * share:.1f}%"
        for index, colour in enumerate(colours)
    )
    return f"background:linear-gradient(to bottom,{stops})"


def _by_code(coding: Any) -> tuple[int, int]:
    return coding.code_id, coding.pk


def _text_html(text: str, span: Span, codings: list[Any], colours: dict[int, str]) -> str:
    if not codings:
        return escape(text[span.start : span.end], quote=False)
    bounds = {span.start, span.end}
    for coding in codings:
        bounds.add(max(coding.start, span.start))
        bounds.add(min(coding.end, span.end))
    points = sorted(bounds)
    parts: list[str] = []
    for left, right in zip(points, points[1:], strict=False):
        piece = escape(text[left:right], quote=False)
        covering = [c for c in codings if c.start <= left and c.end >= right]
        if not covering:
            parts.append(piece)
            continue
        covering.sort(key=_by_code)
        ids = " ".join([str(c.pk) for c in covering])
        codes = list(dict.fromkeys([c.code_id for c in covering]))
        style = _background(tuple([colours.get(code_id, GREY) for code_id in codes]))
        parts.append(f'<span class="seg" data-codings="{ids}" style="{style}">{piece}</span>')
    return "".join(parts)


def _margin_html(span: Span, codings: list[Any], codes: dict[int, Any], mine: int | None) -> str:
    """Bars link to their own fragment: the script opens the coding's panel on click, and
    ``#coding-<id>`` in a URL scrolls to the bar and flashes its passage."""
    if not codings:
        return ""
    length = max(span.end - span.start, 1)
    columns: dict[int, list[Any]] = {}
    for coding in codings:
        columns.setdefault(coding.code_id, []).append(coding)
    parts: list[str] = []
    for code_id in sorted(columns, key=lambda cid: (getattr(codes.get(cid), "order", 0), cid)):
        code = codes.get(code_id)
        name = escape(code.name if code is not None else "?")
        colour = safe_colour(code.colour if code is not None else None)
        bars = []
        for coding in columns[code_id]:
            top = (max(coding.start, span.start) - span.start) * 100 / length
            height = max(
                (min(coding.end, span.end) - max(coding.start, span.start)) * 100 / length, 4
            )
            height = min(height, 100 - top) if top < 96 else 4
            owner = "" if mine is None or coding.coder_id == mine else " other"
            bars.append(
                f'<a class="bar{owner}" id="coding-{coding.pk}" href="#coding-{coding.pk}" '
                f'style="top:{top:.1f}%;height:{height:.1f}%;background:{colour}" '
                f'aria-label="{name}"></a>'
            )
        parts.append(
            f'<div class="bar-column" data-code="{code_id}" title="{name}">{"".join(bars)}</div>'
        )
    return "".join(parts)


def turn_views(
    *,
    text: str,
    spans: list[Span],
    codings: list[Any],
    codes: dict[int, Any],
    mine: int | None = None,
    turn_url_prefix: str = "",
) -> list[TurnView]:
    """Render each span with the codings that overlap it. ``codings`` need ``pk``, ``start``,
    ``end``, ``code_id`` and ``coder_id``; ``codes`` maps code id to a Code (name, colour,
    order). One sweep over both lists sorted by start: O(spans + codings + overlaps).
    With ``turn_url_prefix`` each turn offers "Code this turn" (``<prefix><turn id>/``)."""
    colours = {code_id: safe_colour(code.colour) for code_id, code in codes.items()}
    ordered = sorted(codings, key=lambda c: (c.start, c.end, c.pk))
    views: list[TurnView] = []
    active: list[Any] = []
    index = 0
    for span in sorted(spans, key=lambda s: (s.start, s.order)):
        while index < len(ordered) and ordered[index].start < span.end:
            active.append(ordered[index])
            index += 1
        active = [c for c in active if c.end > span.start]
        inside = [c for c in active if c.start < span.end]
        views.append(
            TurnView(
                span=span,
                text_html=mark_safe(_text_html(text, span, inside, colours)),
                margin_html=mark_safe(_margin_html(span, inside, codes, mine)),
                codings=inside,
                turn_url=f"{turn_url_prefix}{span.pk}/" if turn_url_prefix else "",
            )
        )
    return views
