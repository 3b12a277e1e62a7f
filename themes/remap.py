"""Theme rows follow the words they were made on when a lower app rewrites a transcript's
text (``transcripts.signals.transcript_rewritten``, sent by pseudonymisation). Connected in
``themes/apps.py``."""

from __future__ import annotations

import re
from typing import Any

from transcripts.spans import spans_write


def spans_remapped(
    sender: object, *, transcript: Any, remap: Any, replacements: Any = (), **kwargs: object
) -> None:
    """Suggestions, rejections and candidate quotes follow the words they were made on; the
    words quoted in suggestion reasons and candidate labels are replaced like the text, and
    the "no confident suggestion" passages of past runs are remapped."""
    from .models import CandidateQuote, CandidateTheme, Rejection, Suggestion, SuggestionRun

    text = transcript.text
    pairs = {old.lower(): new for old, new in replacements if old}
    pattern = re.compile(
        r"(?<!\w)(?:"
        + "|".join(re.escape(old) for old in sorted(pairs, key=len, reverse=True))
        + r")(?!\w)",
        re.IGNORECASE,
    )

    def swap(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(lambda m: pairs.get(m.group().lower(), m.group()), value)
        if isinstance(value, list):
            return [swap(item) for item in value]
        return value

    models: tuple[Any, ...] = (Suggestion, Rejection, CandidateQuote)
    for model in models:
        rows: list[Any] = list(model.objects.filter(transcript=transcript))
        for row in rows:
            row.start, row.end = remap.span(row.start, row.end)
            row.text = text[row.start : row.end]
        spans_write(model, rows, unique=model is Rejection)
    if not pairs:
        return
    reasons = []
    for suggestion in Suggestion.objects.filter(transcript=transcript).exclude(explanation={}):
        suggestion.explanation = {k: swap(v) for k, v in suggestion.explanation.items()}
        reasons.append(suggestion)
    Suggestion.objects.bulk_update(reasons, ["explanation"], batch_size=500)
    for candidate in CandidateTheme.objects.filter(project_id=transcript.project_id):
        label, phrases = swap(candidate.label), swap(candidate.key_phrases)
        if (label, phrases) != (candidate.label, candidate.key_phrases):
            candidate.label, candidate.key_phrases = label[:200], phrases
            candidate.save(update_fields=["label", "key_phrases"])
    for run in SuggestionRun.objects.filter(project_id=transcript.project_id).exclude(unsure=[]):
        moved = [
            [row[0], *remap.span(row[1], row[2]), *row[3:]] if row[0] == transcript.pk else row
            for row in run.unsure
        ]
        if moved != run.unsure:
            run.unsure = moved
            run.save(update_fields=["unsure"])
