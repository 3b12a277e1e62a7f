from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "coding"
    verbose_name = "Framework and coding"

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (declares the coding app's job kinds)
