from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "coding"
    verbose_name = "Framework and coding"

    def ready(self) -> None:
        from transcripts.jobs import job_kind_register

        job_kind_register("coding.verify", "Check of codings against their text")
        job_kind_register("refi.import", "REFI-QDA project import")
