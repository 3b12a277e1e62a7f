from typing import Any

from django.apps import AppConfig


class ThemesConfig(AppConfig):
    name = "themes"
    verbose_name = "Themes, suggestions and exports"

    def ready(self) -> None:
        from transcripts.signals import transcript_rewritten

        from . import tasks  # noqa: F401  (declares the themes app's job kinds)

        transcript_rewritten.connect(_spans_remapped, dispatch_uid="remap-theme-spans")


def _spans_remapped(sender: object, *, transcript: Any, remap: Any, **kwargs: object) -> None:
    """Suggestions, rejections and candidate quotes follow the words they were made on."""
    from transcripts.spans import spans_write

    from .models import CandidateQuote, Rejection, Suggestion

    text = transcript.text
    models: tuple[Any, ...] = (Suggestion, Rejection, CandidateQuote)
    for model in models:
        rows: list[Any] = list(model.objects.filter(transcript=transcript))
        for row in rows:
            row.start, row.end = remap.span(row.start, row.end)
            row.text = text[row.start : row.end]
        spans_write(model, rows, unique=model is Rejection)
