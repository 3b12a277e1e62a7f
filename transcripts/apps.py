from django.apps import AppConfig


class TranscriptsConfig(AppConfig):
    name = "transcripts"
    verbose_name = "Projects and transcripts"

    def ready(self) -> None:
        from .jobs import job_kind_register

        job_kind_register("transcripts.read", "Reading the uploaded files")
        job_kind_register("transcripts.import", "Transcript import")
