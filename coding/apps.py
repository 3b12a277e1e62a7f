from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "coding"
    verbose_name = "Framework and coding"

    def ready(self) -> None:
        from transcripts.signals import (
            membership_changed,
            pseudonymisation_changed,
            transcript_rewritten,
        )

        from . import tasks  # noqa: F401  (declares the coding app's job kinds)
        from .audit_signals import membership_audited, pseudonymisation_audited
        from .remap import codings_remapped

        membership_changed.connect(membership_audited, dispatch_uid="audit-membership")
        pseudonymisation_changed.connect(pseudonymisation_audited, dispatch_uid="audit-pseudonym")
        transcript_rewritten.connect(codings_remapped, dispatch_uid="remap-codings")
