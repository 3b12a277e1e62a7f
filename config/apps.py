from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project shell: it composes the apps' pages and is the only layer that knows them all."""

    name = "config"
    verbose_name = "Project shell"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from transcripts.slots import slot_add

        from .security import session_refreshed_at_login

        user_logged_in.connect(session_refreshed_at_login, dispatch_uid="session-refreshed")

        # Higher apps' panels on lower apps' pages (see transcripts/slots.py), in page order.
        slot_add("project_list.end", "coding/_project_list_import.html")
        slot_add("project.sections", "themes/_project_progress.html")
        slot_add("project.sections", "coding/_project_team.html")
        slot_add("project.sections", "coding/_project_exchange.html")
        slot_add("project.job_actions", "coding/_project_verify.html")
        slot_add("transcript.actions", "coding/_transcript_code_link.html")
        slot_add("participant.actions", "coding/_participant_memo_link.html")
        slot_add("memos.actions", "themes/_memos_export.html")
        slot_add("coding_screen.panels", "themes/_coding_screen_suggestions.html")
        slot_add("team.actions", "themes/_team_agreement_link.html")
