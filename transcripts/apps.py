from django.apps import AppConfig


class TranscriptsConfig(AppConfig):
    name = "transcripts"
    verbose_name = "Projects and transcripts"

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (declares the upload's job kinds)
