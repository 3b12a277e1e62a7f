"""WebVTT (.vtt) and SubRip (.srt) via webvtt-py.

A caption's speaker is its voice tag (``<v Name>``), else a ``Name:`` label at its start; a
caption with neither continues the previous speaker. Consecutive captions of one speaker make
one turn, timed from the first caption's start to the last one's end. The canonical text reads
``Name: words`` per turn, with a blank line between turns.
"""

from __future__ import annotations

import io

from .base import ImportFailure, ParsedDocument, ParsedTurn, canonical_text
from .speakers import label_split, timestamp_ms
from .text import decode


def parse_vtt(data: bytes) -> ParsedDocument:
    return _parse(data, "vtt")


def parse_srt(data: bytes) -> ParsedDocument:
    return _parse(data, "srt")


def _parse(data: bytes, fmt: str) -> ParsedDocument:
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    raw, encoding, warnings = decode(data)
    raw = canonical_text(raw)
    try:
        captions = webvtt.from_buffer(io.StringIO(raw), format=fmt).captions
    except (MalformedFileError, MalformedCaptionError, ValueError, IndexError) as exc:
        name = "WebVTT" if fmt == "vtt" else "SubRip"
        raise ImportFailure(f"not a valid {name} file: {exc or 'invalid format'}.") from None
    segments: list[tuple[str, str, int | None, int | None]] = []
    speaker = ""
    for caption in captions:
        words = " ".join(canonical_text(caption.text).split())
        if caption.voice:
            speaker = " ".join(caption.voice.split())
        else:
            found = label_split(words)
            if found is not None:
                speaker, at, _ = found
                words = words[at:].strip()
        if not words:
            continue
        start, end = timestamp_ms(caption.start), timestamp_ms(caption.end)
        if segments and segments[-1][0] == speaker:
            last = segments[-1]
            segments[-1] = (speaker, f"{last[1]} {words}", last[2], end)
        else:
            segments.append((speaker, words, start, end))
    parts: list[str] = []
    turns: list[ParsedTurn] = []
    position = 0
    for speaker, words, start, end in segments:
        prefix = f"{speaker}: " if speaker else ""
        at = position + len(prefix)
        turns.append(ParsedTurn(speaker, at, at + len(words), start, end))
        parts.append(prefix + words)
        position += len(prefix) + len(words) + 2
    if not turns:
        raise ImportFailure("the subtitle file has no captions with text.")
    text = "\n\n".join(parts)
    return ParsedDocument(fmt, text, turns, encoding=encoding, warnings=warnings)
