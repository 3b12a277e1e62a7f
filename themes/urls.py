from django.urls import path

from .views import candidates, suggestions

P = "projects/<int:project_id>/"

urlpatterns = [
    path(f"{P}suggestions/", suggestions.suggestions, name="suggestions"),
    path(f"{P}suggestions/run/", suggestions.suggestion_run_start, name="suggestion_run"),
    path(
        f"{P}suggestions/bulk-accept/",
        suggestions.suggestions_bulk_accept,
        name="suggestions_bulk_accept",
    ),
    path(
        f"{P}suggestions/<int:suggestion_id>/accept/",
        suggestions.suggestion_accept,
        name="suggestion_accept",
    ),
    path(
        f"{P}suggestions/<int:suggestion_id>/reject/",
        suggestions.suggestion_reject,
        name="suggestion_reject",
    ),
    path(
        f"{P}transcripts/<int:transcript_id>/suggestions/",
        suggestions.transcript_suggestions,
        name="transcript_suggestions",
    ),
    path(f"{P}candidates/", candidates.candidates, name="candidates"),
    path(f"{P}candidates/run/", candidates.candidate_run_start, name="candidate_run"),
    path(
        f"{P}candidates/<int:candidate_id>/promote/",
        candidates.candidate_promote,
        name="candidate_promote",
    ),
    path(
        f"{P}candidates/<int:candidate_id>/dismiss/",
        candidates.candidate_dismiss,
        name="candidate_dismiss",
    ),
]
