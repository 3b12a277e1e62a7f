from django.apps import AppConfig


class ThemesConfig(AppConfig):
    name = "themes"
    verbose_name = "Themes, suggestions and exports"

    def ready(self) -> None:
        from transcripts.jobs import job_kind_register

        from .exports import tasks  # noqa: F401  (registers the background export task)
        from .exports.services import JOB_KIND as EXPORT

        job_kind_register("themes.suggest", "Suggestion run")
        job_kind_register("themes.cluster", "Candidate themes run")
        job_kind_register(EXPORT, "Export")
