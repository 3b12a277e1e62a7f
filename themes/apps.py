from typing import Any

from django.apps import AppConfig


class ThemesConfig(AppConfig):
    name = "themes"
    verbose_name = "Themes, suggestions and exports"

    def ready(self) -> None:
        from transcripts.signals import transcript_rewritten

        from . import tasks  # noqa: F401  (declares the themes app's job kinds)

        transcript_rewritten.connect(_spans_remapped, dispatch_uid="remap-theme-spans")


def _spans_remapped(
    sender: object, *, transcript: Any, remap: Any, replacements: Any = (), **kwargs: object
) -> None:
    """Suggestions, rejections and candidate quotes follow the words they were made on; the
    words quoted in suggestion reasons and candidate labels are replaced like the text, and
    the "no confident suggestion" passages of past runs are remapped."""
    import re

    from transcripts.spans import spans_write

    from .models import CandidateQuote, CandidateTheme, Rejection, Suggestion, SuggestionRun

    text = transcript.text
    pairs = sorted({(old, new) for old, new in replacements if old}, key=lambda p: -len(p[0]))

    def swap(value: Any) -> Any:
        if isinstance(value, str):
            for old, new in pairs:
                value = re.sub(rf"(?<!\w){re.escape(old)}(?!\w)", new, value, flags=re.IGNORECASE)
            return value
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
