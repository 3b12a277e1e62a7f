from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "coding"
    verbose_name = "Framework and coding"

    def ready(self) -> None:
        from transcripts.signals import membership_changed

        from . import tasks  # noqa: F401  (declares the coding app's job kinds)
        from .audit_signals import membership_audited

        membership_changed.connect(membership_audited, dispatch_uid="audit-membership")
