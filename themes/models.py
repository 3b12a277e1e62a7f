"""Suggestion runs, suggestions, candidate themes and framework-matrix summaries."""

# --- Framework matrix (exports): the analyst's charted summary of one case x code cell --------

from django.conf import settings  # noqa: E402
from django.db import models  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.utils import timezone  # noqa: E402


class MatrixCellSummary(models.Model):
    """The Framework Method's charting step: what the analyst wrote for one case (a participant,
    a transcript/group, or an attribute value such as an age band) under one theme or code."""

    class CaseKind(models.TextChoices):
        PARTICIPANT = "participant", "Participant"
        TRANSCRIPT = "transcript", "Transcript / group"
        ATTRIBUTE = "attribute", "Attribute value"

    project = models.ForeignKey(
        "transcripts.Project", on_delete=models.CASCADE, related_name="matrix_summaries"
    )
    code = models.ForeignKey(
        "coding.Code", on_delete=models.CASCADE, related_name="matrix_summaries"
    )
    case_kind = models.CharField(max_length=12, choices=CaseKind.choices)
    participant = models.ForeignKey(
        "transcripts.Participant",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="matrix_summaries",
    )
    transcript = models.ForeignKey(
        "transcripts.Transcript",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="matrix_summaries",
    )
    attribute = models.ForeignKey(
        "transcripts.Attribute",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="matrix_summaries",
    )
    attribute_value = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project_id", "code_id", "id"]
        constraints = [
            models.CheckConstraint(
                name="matrix_summary_case_matches_kind",
                condition=(
                    Q(
                        case_kind="participant",
                        participant__isnull=False,
                        transcript__isnull=True,
                        attribute__isnull=True,
                    )
                    | Q(
                        case_kind="transcript",
                        participant__isnull=True,
                        transcript__isnull=False,
                        attribute__isnull=True,
                    )
                    | Q(
                        case_kind="attribute",
                        participant__isnull=True,
                        transcript__isnull=True,
                        attribute__isnull=False,
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["code", "participant"],
                condition=Q(case_kind="participant"),
                name="matrix_summary_unique_participant",
            ),
            models.UniqueConstraint(
                fields=["code", "transcript"],
                condition=Q(case_kind="transcript"),
                name="matrix_summary_unique_transcript",
            ),
            models.UniqueConstraint(
                fields=["code", "attribute", "attribute_value"],
                condition=Q(case_kind="attribute"),
                name="matrix_summary_unique_attribute_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} x {self.case_kind} summary"


# --- end of framework matrix (exports) ---------------------------------------------------------
