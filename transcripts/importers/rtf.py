"""Rich Text Format (.rtf) via striprtf."""

from __future__ import annotations

from .base import ImportFailure, ParsedDocument
from .text import decode, document_from_text


def parse(data: bytes) -> ParsedDocument:
    from striprtf.striprtf import rtf_to_text

    source, _, _ = decode(data)  # RTF is 7-bit; escapes carry the rest
    if not source.lstrip().startswith("{\\rtf"):
        raise ImportFailure("not an RTF document (it does not start with {\\rtf).")
    try:
        raw = rtf_to_text(source, errors="replace")
    except Exception as exc:
        raise ImportFailure(f"not a readable RTF document: {type(exc).__name__}") from None
    return document_from_text(raw, source_format="rtf")
