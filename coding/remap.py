"""Codings follow the words they cover when a lower app rewrites a transcript's text
(``transcripts.signals.transcript_rewritten``, sent by pseudonymisation). Connected in
``coding/apps.py``."""

from __future__ import annotations

from typing import Any

from transcripts.spans import spans_write


def codings_remapped(sender: Any, *, transcript: Any, remap: Any, **kwargs: Any) -> None:
    """Codings keep covering the same words after the transcript's text is rewritten."""
    from .models import Coding

    codings = list(Coding.objects.filter(transcript=transcript).order_by("id"))
    kept: dict[tuple[int, int | None, int, int, int], Any] = {}
    twins = []
    for coding in codings:
        coding.start, coding.end = remap.span(coding.start, coding.end)
        coding.text = transcript.text[coding.start : coding.end]
        key = coding.identity
        if key in kept:
            twins.append(coding.pk)  # differed only inside the replaced words: now the same
        else:
            kept[key] = coding
    if twins:
        Coding.objects.filter(pk__in=twins).delete()
    spans_write(Coding, list(kept.values()), unique=True)
