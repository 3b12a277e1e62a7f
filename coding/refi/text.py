"""Canonical text for imported sources, and where the old offsets land in it.

Our transcripts are NFC with ``\\n`` line endings and no BOM (DESIGN.md). A REFI-QDA source may be
none of these, and its selections count code points in the text as written. ``canonical_text``
returns the canonical text plus an ``OffsetMap`` that moves an offset in the original text (BOM
already stripped, as REFI-QDA counts) to the canonical one.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

BOM = "\ufeff"


@lru_cache(maxsize=1)
def _composing_starters() -> frozenset[str]:
    """Characters of combining class 0 that NFC can still merge into the character before them
    (Hangul vowels and finals, some Indic length marks): a segment must not start at them."""
    found = {chr(c) for c in range(0x1161, 0x1176)} | {chr(c) for c in range(0x11A8, 0x11C3)}
    for code in range(0x110000):
        decomposition = unicodedata.decomposition(chr(code))
        if not decomposition or decomposition.startswith("<"):
            continue
        parts = decomposition.split()
        if len(parts) == 2:
            second = chr(int(parts[1], 16))
            if unicodedata.combining(second) == 0:
                found.add(second)
    return frozenset(found)


@dataclass
class OffsetMap:
    """``start(i)`` / ``end(i)`` give the canonical offset of original offset ``i``. An offset
    inside a character that normalisation merged moves outward: a start to the beginning of the
    merged character, an end to its end, so a selection never splits a character."""

    starts: list[int] | None  # None: the identity
    ends: list[int] | None

    def start(self, offset: int) -> int:
        return offset if self.starts is None else self.starts[offset]

    def end(self, offset: int) -> int:
        return offset if self.ends is None else self.ends[offset]


def canonical_text(raw: str) -> tuple[str, OffsetMap]:
    """Strip one leading BOM, make line endings ``\\n`` and the text NFC. Offsets given to the map
    count code points after the BOM."""
    if raw.startswith(BOM):
        raw = raw[1:]
    if "\r" not in raw and unicodedata.is_normalized("NFC", raw):
        return raw, OffsetMap(None, None)
    # 1. Line endings: \r\n and lone \r become \n.
    lines: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    index, length = 0, len(raw)
    while index < length:
        char = raw[index]
        position = len(lines)
        if char == "\r":
            lines.append("\n")
            starts.append(position)
            ends.append(position)
            if index + 1 < length and raw[index + 1] == "\n":
                starts.append(position + 1)  # a start between \r and \n: after the newline
                ends.append(position)  # an end there: before it
                index += 1
        else:
            lines.append(char)
            starts.append(position)
            ends.append(position)
        index += 1
    starts.append(len(lines))
    ends.append(len(lines))
    unified = "".join(lines)
    if unicodedata.is_normalized("NFC", unified):
        return unified, OffsetMap(starts, ends)
    # 2. NFC, one segment at a time: a starter and the marks that follow it.
    composing = _composing_starters()
    out: list[str] = []
    seg_starts: list[int] = []
    seg_ends: list[int] = []
    position = 0
    index, length = 0, len(unified)
    while index < length:
        stop = index + 1
        while stop < length and (
            unicodedata.combining(unified[stop]) != 0 or unified[stop] in composing
        ):
            stop += 1
        segment = unified[index:stop]
        normal = unicodedata.normalize("NFC", segment)
        out.append(normal)
        if len(normal) == len(segment):
            seg_starts.extend(range(position, position + len(segment)))
            seg_ends.extend(range(position, position + len(segment)))
        else:
            seg_starts.extend([position] * len(segment))
            seg_ends.append(position)
            seg_ends.extend([position + len(normal)] * (len(segment) - 1))
        position += len(normal)
        index = stop
    seg_starts.append(position)
    seg_ends.append(position)
    text = "".join(out)
    return text, OffsetMap(
        [seg_starts[i] for i in starts],
        [seg_ends[i] for i in ends],
    )


def turns_for_imported_text(text: str) -> list[dict]:
    """Speaker turns for a text that arrived without them, found by the transcripts app's
    speaker detection (``Name:``, ``[00:01:02] P3:``, ``Moderator:`` ...); a text with no
    speaker labels gets one unattributed turn per paragraph."""
    from transcripts.importers.speakers import detect_turns, is_facilitator_label

    turns, _warnings = detect_turns(text)
    return [
        {
            "start": turn.start,
            "end": turn.end,
            "speaker_label": turn.speaker,
            "is_facilitator": bool(turn.speaker) and is_facilitator_label(turn.speaker),
            "timestamp_start_ms": turn.timestamp_start_ms,
        }
        for turn in turns
    ]
