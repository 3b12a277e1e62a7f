"""Speaker turns in canonical text.

Detected conventions, each at the start of a line:

- ``Name: text``, ``NAME: text``, ``Dr Jane Smith: text``, ``**Name:** text`` (Markdown bold)
- ``[00:01:02] Name: text`` and ``00:01:02 Name: text`` (a timestamp before the name)
- ``Name (00:01:02): text`` and ``Name [00:01:02]: text`` (a timestamp after the name)
- ``Speaker 1: text``, ``P3: text``, ``R12: text`` (numbered and coded labels)
- ``Facilitator:`` / ``Moderator:`` / ``Interviewer:`` (flagged as the facilitator)
- a label on its own line, ``Name:`` or ``Speaker 1  0:01`` (Otter.ai style), with the words on
  the following lines
- a turn continues over the following lines and paragraphs until the next label.

A turn's span covers the spoken words, not the label, which stays in the text. A document with
no labels at all gets one unattributed turn per paragraph. VTT voice tags (``<v Name>``) are read
by ``vtt.py``, which also uses ``label_split`` for captions written as ``Name: text``.
"""

from __future__ import annotations

import re

from .base import ParsedTurn

_TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_NAME = r"(?P<name>[^\W_][\w'’.\-]*(?:[ \t]+[\w'’.\-]+){0,3}?)"
LABEL_LINE = re.compile(
    rf"^[ \t]*(?:[\[(]?(?P<ts1>{_TS})[\])]?[ \t]*(?:[-–—][ \t]*)?)?"
    rf"(?:\*\*)?{_NAME}(?:[ \t]*[\[(](?P<ts2>{_TS})[\])])?"
    rf"[ \t]*(?:\*\*:|:\*\*|:(?!\d))(?:\*\*)?[ \t]*"
)
# A label alone on its line, without a colon but with a timestamp: "Speaker 1  0:01".
LABEL_ONLY_LINE = re.compile(rf"^[ \t]*{_NAME}[ \t]+[\[(]?(?P<ts2>{_TS})[\])]?[ \t]*$")
NOT_SPEAKERS = {
    "note",
    "notes",
    "date",
    "time",
    "location",
    "venue",
    "site",
    "present",
    "attendees",
    "participants",
    "duration",
    "transcript",
    "title",
    "subject",
    "recording",
    "file",
    "project",
    "group",
    "session",
    "audio",
    "transcribed by",
    "transcriber",
    "start",
    "end",
    "page",
    "tel",
    "email",
    "http",
    "https",
    "www",
    "re",
    "fwd",
    "cc",
    "to",
    "from",
    "keywords",
    "summary",
    "description",
    "facilitated by",
    "moderated by",
    "length",
    "topic",
}
FACILITATOR = re.compile(
    r"^(?:co-?)?(?:facilitator|moderator|interviewer|researcher|host|chair|fac|mod|q)\b",
    re.IGNORECASE,
)
GENERIC = re.compile(
    r"^(?:speaker|unknown speaker|unknown|participant|respondent|voice|person)(?:[ \t]*\d+)?$",
    re.IGNORECASE,
)
MAX_LABEL = 40


def timestamp_ms(value: str | None) -> int | None:
    """``1:02``, ``00:01:02``, ``00:01:02.500`` or ``00:01:02,5`` as milliseconds."""
    if not value:
        return None
    main, _, fraction = value.replace(",", ".").partition(".")
    parts = [int(p) for p in main.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    hours, minutes, seconds = parts
    millis = int((fraction + "00")[:3]) if fraction else 0
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def is_facilitator_label(label: str) -> bool:
    return bool(FACILITATOR.match(label.strip()))


def is_generic_label(label: str) -> bool:
    """Labels that name a different person in each file (``Speaker 1``), not a participant."""
    return bool(GENERIC.match(label.strip()))


def _valid_name(name: str) -> bool:
    name = name.strip()
    if not name or len(name) > MAX_LABEL or name.lower().rstrip(".") in NOT_SPEAKERS:
        return False
    words = name.split()
    if not words[0][0].isalpha():
        return False
    return all(word[0].isupper() or word[0].isdigit() for word in words)


def label_split(line: str) -> tuple[str, int, int | None] | None:
    """``(label, offset where the words start, timestamp ms)`` when ``line`` opens with a
    speaker label, else None."""
    match = LABEL_LINE.match(line)
    if match and _valid_name(match["name"]):
        return (
            _clean(match["name"]),
            match.end(),
            timestamp_ms(match["ts1"] or match["ts2"]),
        )
    match = LABEL_ONLY_LINE.match(line)
    if match and _valid_name(match["name"]):
        return _clean(match["name"]), len(line), timestamp_ms(match["ts2"])
    return None


def _clean(name: str) -> str:
    return " ".join(name.split()).rstrip(".")


class _Labels:
    """Unifies case variants within a document (``MODERATOR`` and ``Moderator``)."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def __call__(self, label: str) -> str:
        return self.seen.setdefault(label.casefold(), label)


def detect_turns(text: str) -> tuple[list[ParsedTurn], list[str]]:
    """The speaker turns of canonical ``text``, and warnings for the analyst."""
    turns: list[ParsedTurn] = []
    labels = _Labels()
    current: ParsedTurn | None = None
    pending_start = False  # a label alone on its line: the words start on the next line
    offset = 0
    for line in text.split("\n"):
        line_start, offset = offset, offset + len(line) + 1
        if not line.strip():
            continue
        found = label_split(line)
        if found is not None:
            label, words_at, ms = found
            if current is not None and not pending_start:
                turns.append(current)
            rest_blank = not line[words_at:].strip()
            current = ParsedTurn(
                labels(label), line_start + words_at, line_start + len(line), ms, None
            )
            pending_start = rest_blank
            continue
        if current is None:
            continue  # a preamble before the first label: text, not a turn
        if pending_start:
            current.start = line_start + len(line) - len(line.lstrip())
            pending_start = False
        current.end = line_start + len(line)
    if current is not None and not pending_start:
        turns.append(current)
    if turns:
        return turns, []
    return _paragraph_turns(text), [
        "No speaker labels found: each paragraph became an unattributed turn."
    ]


def _paragraph_turns(text: str) -> list[ParsedTurn]:
    turns = []
    for match in re.finditer(r"[^\n](?:.|\n(?!\n))*", text):
        stripped = match.group().rstrip()
        if stripped.strip():
            turns.append(ParsedTurn("", match.start(), match.start() + len(stripped)))
    return turns
