"""Suggestion runs, suggestions, remembered rejections, candidate themes and the framework
matrix's cell summaries.

Offsets are Unicode code points into ``Transcript.text``, end exclusive (see DESIGN.md); each
row keeps a snapshot of the text it was made on.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from coding.models import Code, Coding
from jobs.models import Job
from transcripts.models import Project, Transcript


class SuggestionRun(models.Model):
    """One run of the engine (deductive suggestions or clustering), tied to its job row."""

    class Kind(models.TextChoices):
        SUGGEST = "suggest", "Suggestions"
        CLUSTER = "cluster", "Candidate themes"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="suggestion_runs")
    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="suggestion_run")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SUGGEST)
    transcripts = models.ManyToManyField(Transcript, related_name="+", blank=True)
    threshold = models.FloatField(default=0.7)
    created_at = models.DateTimeField(default=timezone.now)
    # Passages the engine ranked but had no confident suggestion for: [transcript, start, end]
    # (the first few hundred), shown as "no confident suggestion" rather than a least-bad code.
    unsure = models.JSONField(default=list, blank=True)
    unsure_count = models.PositiveIntegerField(default=0)
    # What the engine learned from the project's codings for this run: fusion weights and the
    # number of cross-validated coded quotes behind them, and whether embeddings were used.
    engine = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} run #{self.pk}"


class Suggestion(models.Model):
    """Advice that ``text`` (the span ``[start, end)``) belongs under ``code``. It becomes a
    coding only when an analyst accepts it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="suggestions")
    run = models.ForeignKey(
        SuggestionRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestions"
    )
    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="suggestions")
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="suggestions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField(help_text="Snapshot of transcript.text[start:end] when suggested.")
    confidence = models.FloatField()
    explanation = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    coding = models.ForeignKey(
        Coding, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-confidence", "transcript_id", "start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="suggestion_not_empty"),
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1),
                name="suggestion_confidence_0_1",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "status", "code"]),
            models.Index(fields=["transcript", "status", "start"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} [{self.start}:{self.end}] {self.confidence:.2f} {self.status}"

    @property
    def confidence_word(self) -> str:
        """ "likely", "possible" or "unlikely": what the calibrated confidence means."""
        if self.confidence >= 0.7:
            return "likely"
        if self.confidence >= 0.4:
            return "possible"
        return "unlikely"

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)


class Rejection(models.Model):
    """A remembered "no": this span is not this code. Never suggested again, and used by the
    engine as a negative example of the code."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="rejections")
    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="+")
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="rejections")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-rejected_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["transcript", "code", "start", "end"], name="rejection_unique_span_code"
            ),
        ]

    def __str__(self) -> str:
        return f"not {self.code} [{self.start}:{self.end}]"


class CandidateTheme(models.Model):
    """A cluster of material no code covers, offered as a possible new theme."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PROMOTED = "promoted", "Promoted"
        DISMISSED = "dismissed", "Dismissed"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="candidates")
    run = models.ForeignKey(
        SuggestionRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="candidates"
    )
    label = models.CharField(max_length=200)
    key_phrases = models.JSONField(default=list, blank=True)
    size = models.PositiveIntegerField(default=0)
    cohesion = models.FloatField(default=0.0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    code = models.ForeignKey(
        Code,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The code it became when promoted.",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-size", "id"]
        indexes = [models.Index(fields=["project", "status"])]

    def __str__(self) -> str:
        return self.label


class CandidateQuote(models.Model):
    """A unit of a candidate theme; ``rank`` 0 is the most representative."""

    candidate = models.ForeignKey(CandidateTheme, on_delete=models.CASCADE, related_name="quotes")
    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="+")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    similarity = models.FloatField(default=0.0)
    rank = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["candidate_id", "rank"]

    def __str__(self) -> str:
        return f"{self.candidate} #{self.rank}"


# --- Framework matrix (exports): the analyst's charted summary of one case x code cell --------


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


class TextEmbedding(models.Model):
    """A sentence embedding computed once by the worker and reused by every later run: keyed
    by the model's identity and the SHA-256 of the text, so edited text is re-encoded and the
    text itself is not stored here again. Per project, so deleting a project deletes them."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    model = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)
    vector = models.BinaryField()  # float16, unit length
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "model", "digest"], name="text_embedding_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.model}:{self.digest[:12]}"
