from django.apps import AppConfig


class ThemesConfig(AppConfig):
    name = "themes"
    verbose_name = "Themes, suggestions and exports"

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (declares the themes app's job kinds)
