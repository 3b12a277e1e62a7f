from django.apps import AppConfig


class ThemesConfig(AppConfig):
    name = "themes"
    verbose_name = "Themes, suggestions and exports"

    def ready(self) -> None:
        from .exports import tasks  # noqa: F401  (registers the background export task)
