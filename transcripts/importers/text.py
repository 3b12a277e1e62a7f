"""Plain text (.txt) and Markdown (.md): decode, canonicalise, detect speaker turns."""

from __future__ import annotations

from .base import ImportFailure, ParsedDocument, canonical_text
from .speakers import detect_turns

ENCODINGS = (("utf-8-sig", "UTF-8 with BOM"), ("utf-8", "UTF-8"), ("cp1252", "Windows-1252"))


def decode(data: bytes) -> tuple[str, str, list[str]]:
    """Try UTF-8 (with or without BOM), then Windows-1252; say which was used."""
    if b"\x00" in data[:4096]:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            try:
                return data.decode("utf-16"), "utf-16", []
            except UnicodeDecodeError:
                pass
        raise ImportFailure("this looks like a binary file, not text.")
    codec = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        return data.decode(codec), codec, []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFailure(
            "could not decode the text: it is neither UTF-8 nor Windows-1252 (cp1252). "
            "Save it as UTF-8 and upload it again."
        ) from None
    return text, "cp1252", ["Not valid UTF-8: decoded as Windows-1252 (cp1252)."]


def document_from_text(raw: str, *, source_format: str, encoding: str = "") -> ParsedDocument:
    text = canonical_text(raw)
    turns, warnings = detect_turns(text)
    return ParsedDocument(
        source_format=source_format, text=text, turns=turns, encoding=encoding, warnings=warnings
    )


def parse(data: bytes) -> ParsedDocument:
    raw, encoding, warnings = decode(data)
    document = document_from_text(raw, source_format="text", encoding=encoding)
    document.warnings[:0] = warnings
    return document
