"""Typed notes are often hard-wrapped: a sentence broken by a line break, or even a blank line,
in the middle ("given clear\\n\\ninformation"). ``unwrap`` joins such breaks: where the line
before does not end a sentence and the line after starts in lower case and is not a speaker
label. Offered in the upload review, with a preview; never applied without the analyst."""

from __future__ import annotations

import re

from .speakers import detect_turns

# A break between a line that does not end a sentence (no . ! ? … : ; or closing quote or
# bracket after a letter, digit or comma) and a line that starts with a lower-case letter.
_BROKEN = re.compile(r"(?<=[^\s.!?…:;\"”’)\]])[ \t]*\n(?:[ \t]*\n)?[ \t]*(?=[a-zà-ÿ])")
TEXT_FORMATS = {"text", "markdown", "docx", "odt", "rtf", "pdf"}


def wrapped_breaks(text: str) -> int:
    """How many line breaks ``unwrap`` would join."""
    return len(_BROKEN.findall(text))


def unwrap(text: str) -> str:
    return _BROKEN.sub(" ", text)


def unwrapped_document(document):  # type: ignore[no-untyped-def]
    """The document with its broken lines joined and its speaker turns found again."""
    text = unwrap(document.text)
    turns, warnings = detect_turns(text)
    document.text, document.turns = text, turns
    document.warnings = [*document.warnings, *warnings]
    return document
