"""The framework (a tree of codes), codings of transcript spans, and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from transcripts.models import Project, Transcript


class Code(models.Model):
    """A code of the framework. Top-level codes are the themes; children are sub-codes."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="codes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(max_length=200)
    key = models.CharField(
        max_length=100,
        blank=True,
        help_text="Stable identifier used in framework CSV files, e.g. safety_security.",
    )
    definition = models.TextField(blank=True)
    inclusion = models.TextField("inclusion criteria", blank=True)
    exclusion = models.TextField("exclusion criteria", blank=True)
    example = models.TextField("example quote", blank=True)
    colour = models.CharField(max_length=7, default="#f2c94c")
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                condition=Q(parent__isnull=False),
                name="code_unique_name_under_parent",
            ),
            models.UniqueConstraint(
                fields=["project", "name"],
                condition=Q(parent__isnull=True),
                name="code_unique_theme_name",
            ),
            models.UniqueConstraint(
                fields=["project", "key"],
                condition=~Q(key=""),
                name="code_unique_key",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Coding(models.Model):
    """A span ``[start, end)`` (code points) of a transcript tagged with a code by a coder."""

    class Origin(models.TextChoices):
        MANUAL = "manual", "Manual"
        SUGGESTION = "suggestion", "Accepted suggestion"
        IMPORTED = "imported", "Imported"
        ADJUDICATED = "adjudicated", "Agreed (adjudicated)"

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="codings")
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="codings")
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="codings"
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField(help_text="Snapshot of transcript.text[start:end] when coded.")
    memo = models.TextField(blank=True)
    origin = models.CharField(max_length=12, choices=Origin.choices, default=Origin.MANUAL)
    starred = models.BooleanField(default=False, help_text="Quote chosen for the report.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["transcript_id", "start", "end", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="coding_not_empty"),
            models.UniqueConstraint(
                fields=["transcript", "code", "coder", "start", "end"],
                condition=~Q(origin="adjudicated"),
                name="coding_unique_span_code_coder",
            ),
            # The agreed set holds a code on a span once, whoever adjudicated it.
            models.UniqueConstraint(
                fields=["transcript", "code", "start", "end"],
                condition=Q(origin="adjudicated"),
                name="coding_unique_agreed_span_code",
            ),
        ]
        indexes = [
            models.Index(fields=["transcript", "start"]),
            models.Index(fields=["code", "transcript"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} [{self.start}:{self.end}]"

    @property
    def identity(self) -> tuple[int, int | None, int, int, int]:
        """What makes a coding unique: a coder's span and code, or (in the agreed set) the
        span and code alone."""
        agreed = self.origin == Coding.Origin.ADJUDICATED
        coder = None if agreed else self.coder_id
        return (self.transcript_id, coder, self.code_id, self.start, self.end)


class AuditEvent(models.Model):
    """Append-only record of every change to codes and codings."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="audit_events")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField(null=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # The events of one operation that can be undone as a whole (a merge of codes) share it.
    batch = models.CharField(max_length=40, blank=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["project", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")


class ExchangeGuid(models.Model):
    """The REFI-QDA GUID of an object of a project, kept so exports are stable and imported
    GUIDs survive a re-export. ``kind`` is ``project`` (the namespace for derived GUIDs),
    ``code``, ``coding``, ``selection`` (keyed by a coding), ``transcript``, ``participant``,
    ``attribute``, ``user`` or ``note`` (keyed by a coding whose memo it holds)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="exchange_guids")
    kind = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    guid = models.UUIDField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "object_id"], name="exchange_guid_unique_object"
            ),
        ]
        indexes = [models.Index(fields=["project", "guid"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} = {self.guid}"


class Assignment(models.Model):
    """A coder assigned to index a transcript. ``done_at`` is set when they mark it done: only
    then do their codings of it count in agreement (until then the transcript is missing data
    for them, not a string of zeros)."""

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="assignments")
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["transcript_id", "coder__username"]
        constraints = [
            models.UniqueConstraint(fields=["transcript", "coder"], name="assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.coder} on {self.transcript}"


class BlindPhase(models.Model):
    """While open (``ended_at`` empty), coders of the project (or of one transcript) see only
    their own codings; owners see everyone's."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="blind_phases")
    transcript = models.ForeignKey(
        Transcript, null=True, blank=True, on_delete=models.CASCADE, related_name="blind_phases"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["project", "ended_at"])]

    def __str__(self) -> str:
        scope = self.transcript or "whole project"
        return f"Blind phase on {scope} from {self.started_at:%Y-%m-%d}"


class Adjudication(models.Model):
    """How an adjudicator settled a unit (a speaker turn) on which coders disagreed: whose
    version was kept, or merged, or their own, with a note. The agreed codings it produced are
    ``Coding`` rows of origin ``adjudicated``."""

    class Decision(models.TextChoices):
        AGREED = "agreed", "Coders agreed"
        KEEP = "keep", "Kept one coder's version"
        MERGE = "merge", "Merged the versions"
        OWN = "own", "Adjudicator's own"

    transcript = models.ForeignKey(
        Transcript, on_delete=models.CASCADE, related_name="adjudications"
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    decision = models.CharField(max_length=10, choices=Decision.choices)
    kept_coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    codes = models.JSONField(default=list, help_text="Ids of the codes agreed on the unit.")
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["transcript_id", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["transcript", "start", "end"], name="adjudication_unique_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transcript} [{self.start}:{self.end}] {self.decision}"


class Memo(models.Model):
    """An analyst's memo about the project, a transcript, a participant or a code (memos on a
    coding are the coding's own ``memo``). Listed, searched and exported with those."""

    class About(models.TextChoices):
        PROJECT = "project", "The project"
        TRANSCRIPT = "transcript", "A transcript"
        PARTICIPANT = "participant", "A participant"
        CODE = "code", "A code"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memos")
    about = models.CharField(max_length=12, choices=About.choices, default=About.PROJECT)
    transcript = models.ForeignKey(
        Transcript, null=True, blank=True, on_delete=models.CASCADE, related_name="memos"
    )
    participant = models.ForeignKey(
        "transcripts.Participant",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memos",
    )
    code = models.ForeignKey(
        Code, null=True, blank=True, on_delete=models.CASCADE, related_name="memos"
    )
    title = models.CharField(max_length=200)
    text = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["about", "-updated_at", "-id"]
        constraints = [
            # Exactly the one object the memo is about is set.
            models.CheckConstraint(
                condition=(
                    Q(
                        about="project",
                        transcript__isnull=True,
                        participant__isnull=True,
                        code__isnull=True,
                    )
                    | Q(
                        about="transcript",
                        transcript__isnull=False,
                        participant__isnull=True,
                        code__isnull=True,
                    )
                    | Q(
                        about="participant",
                        transcript__isnull=True,
                        participant__isnull=False,
                        code__isnull=True,
                    )
                    | Q(
                        about="code",
                        transcript__isnull=True,
                        participant__isnull=True,
                        code__isnull=False,
                    )
                ),  # fmt: skip
                name="memo_about_one_thing",
            ),
        ]
        indexes = [models.Index(fields=["project", "about"])]

    def __str__(self) -> str:
        return self.title

    @property
    def subject(self) -> str:
        """What the memo is about, in words: "FG3", "P2", "Safety > Hacking", "the project"."""
        if self.transcript_id:
            return self.transcript.name  # type: ignore[union-attr]
        if self.participant_id:
            return self.participant.label  # type: ignore[union-attr]
        if self.code_id:
            return self.code.name  # type: ignore[union-attr]
        return "the project"
