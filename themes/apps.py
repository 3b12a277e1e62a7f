from django.apps import AppConfig


class ThemesConfig(AppConfig):
    name = "themes"
    verbose_name = "Themes, suggestions and exports"

    def ready(self) -> None:
        from transcripts.signals import transcript_rewritten

        from . import tasks  # noqa: F401  (declares the themes app's job kinds)
        from .remap import spans_remapped

        transcript_rewritten.connect(spans_remapped, dispatch_uid="remap-theme-spans")
