"""Projects, their members, transcripts, turns and participants.

Offsets into ``Transcript.text`` count Unicode code points from 0, end exclusive, on the
canonical text (NFC, ``\\n`` line endings, no BOM): see DESIGN.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from jobs.models import Job


class Project(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The order the next transcript gets: a counter, so an import neither scans the transcripts
    # (and their text) for the largest order nor races another import to the same number.
    next_transcript_order = models.PositiveIntegerField(default=1)

    membership: Membership  # the requesting user's, set by selectors.project_get_for_user

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    CODER = "coder", "Coder"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.CODER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_unique_user"),
        ]
        ordering = ["project_id", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} in {self.project} as {self.role}"

    @property
    def can_write(self) -> bool:
        return self.role in (Role.OWNER, Role.CODER)

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER


class Transcript(models.Model):
    """One source document: a focus group, an interview, or a set of survey answers."""

    class Kind(models.TextChoices):
        FOCUS_GROUP = "focus_group", "Focus group"
        INTERVIEW = "interview", "Interview"
        SURVEY = "survey", "Survey answers"
        DOCUMENT = "document", "Other document"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transcripts")
    name = models.CharField(max_length=200, help_text="Group name used in reports, e.g. FG3.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FOCUS_GROUP)
    site = models.CharField(max_length=200, blank=True)
    date = models.DateField(null=True, blank=True)
    facilitator = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    text = models.TextField()
    content_hash = models.CharField(max_length=64)
    original_file = models.FileField(upload_to="originals/%Y/%m/", blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    source_format = models.CharField(max_length=20, blank=True)
    encoding = models.CharField(max_length=30, blank=True)
    order = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "content_hash"], name="transcript_unique_content"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Participant(models.Model):
    """A pseudonymous participant of the project (e.g. P3), who may speak in several groups."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="participants")
    label = models.CharField(max_length=100)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["label", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "label"], name="participant_unique_label"),
        ]

    def __str__(self) -> str:
        return self.label


class Attribute(models.Model):
    """A typed participant attribute defined for the project: age band, gender, carer ..."""

    class Type(models.TextChoices):
        TEXT = "text", "Text"
        NUMBER = "number", "Number"
        CHOICE = "choice", "Choice"
        DATE = "date", "Date"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="attributes")
    name = models.CharField(max_length=100)
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.TEXT)
    choices = models.JSONField(default=list, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="attribute_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class AttributeValue(models.Model):
    """One participant's value for one attribute, stored as text in the attribute's format
    (numbers as written, dates as ISO 8601)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="attribute_values"
    )
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="values")
    value = models.CharField(max_length=500)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "attribute"], name="attribute_value_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attribute}={self.value}"


class GroupAttribute(models.Model):
    """A typed attribute of a group (transcript) beyond its site, date, facilitator and
    description: "Recruitment route", "Urban/rural". The same types as participant attributes."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="group_attributes")
    name = models.CharField(max_length=100)
    type = models.CharField(max_length=10, choices=Attribute.Type.choices, default="text")
    choices = models.JSONField(default=list, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="group_attribute_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class GroupAttributeValue(models.Model):
    """One transcript's value of a group attribute, stored as text in the attribute's format."""

    transcript = models.ForeignKey(
        Transcript, on_delete=models.CASCADE, related_name="group_values"
    )
    attribute = models.ForeignKey(GroupAttribute, on_delete=models.CASCADE, related_name="values")
    value = models.CharField(max_length=500)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["transcript", "attribute"], name="group_value_unique_attribute"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attribute}: {self.value}"


class Turn(models.Model):
    """A speaker turn: a span ``[start, end)`` of the transcript's canonical text."""

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="turns")
    order = models.PositiveIntegerField()
    speaker_label = models.CharField(max_length=100, blank=True)
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="turns"
    )
    is_facilitator = models.BooleanField(default=False)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    timestamp_start_ms = models.PositiveBigIntegerField(null=True, blank=True)
    timestamp_end_ms = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["transcript_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["transcript", "order"], name="turn_unique_order"),
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="turn_end_after_start"),
        ]
        indexes = [models.Index(fields=["transcript", "start"])]

    def __str__(self) -> str:
        return f"{self.transcript} #{self.order} {self.speaker_label}"

    @property
    def text(self) -> str:
        return self.transcript.text[self.start : self.end]


class ImportBatch(models.Model):
    """Files uploaded together: read by a job, reviewed by the analyst, then imported by a
    second job, one transcript per file, each in its own transaction."""

    class Status(models.TextChoices):
        READING = "reading", "Reading files"
        REVIEW = "review", "Ready to review"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        REJECTED = "rejected", "Nothing to import"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="import_batches")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READING)
    speakers = models.JSONField(
        default=dict, blank=True, help_text="Speaker label -> {rename, action, participant}."
    )
    read_job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    import_job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Upload #{self.pk} ({self.status})"


class ImportItem(models.Model):
    """One file of a batch (a zip's entries become items of their own)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        READY = "ready", "Ready"
        DUPLICATE = "duplicate", "Skipped: duplicate"
        FAILED = "failed", "Failed"
        IMPORTED = "imported", "Imported"
        EXCLUDED = "excluded", "Left out"
        ARCHIVE = "archive", "Archive (unpacked)"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField(default=0)
    filename = models.CharField(max_length=500)
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    source_format = models.CharField(max_length=20, blank=True)
    encoding = models.CharField(max_length=30, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    parsed = models.JSONField(null=True, blank=True)
    survey_columns = models.JSONField(default=dict, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    # Group metadata, proposed from the file and edited in the review.
    name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(
        max_length=20, choices=Transcript.Kind.choices, default=Transcript.Kind.FOCUS_GROUP
    )
    site = models.CharField(max_length=200, blank=True)
    date = models.DateField(null=True, blank=True)
    facilitator = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    transcript = models.ForeignKey(
        Transcript, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    turn_count = models.PositiveIntegerField(default=0)
    speaker_count = models.PositiveIntegerField(default=0)
    # The first turns as they will be imported ({"turns": [[speaker, words], ...]}, and
    # "unwrapped" the same after joining broken lines), shown in the review without loading the
    # parsed text; the line breaks that joining would remove, and whether the analyst chose to.
    preview = models.JSONField(default=dict, blank=True)
    wrapped_breaks = models.PositiveIntegerField(default=0)
    unwrap = models.BooleanField(default=False)

    class Meta:
        ordering = ["batch_id", "order", "id"]

    def __str__(self) -> str:
        return self.filename


class Identifier(models.Model):
    """Something that identifies a person, and its pseudonym: the key of the pseudonymisation.

    One row per surface form (compared without case or accents) and project. With its
    occurrences, this is the "additional information" kept apart from the working data: only
    owners see it (``transcripts.pseudonymise``), and no export includes it except the key
    export, its own file."""

    class Type(models.TextChoices):
        PERSON = "PERSON", "Person"
        PLACE = "PLACE", "Place"
        ORG = "ORG", "Organisation"
        CONTACT = "CONTACT", "Contact detail"
        ID = "ID", "Identifying number"
        DATE = "DATE", "Date"

    class Status(models.TextChoices):
        PENDING = "pending", "To review"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Not an identifier"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="identifiers")
    key = models.CharField(max_length=255, help_text="The surface form, folded (no case, accents).")
    surface = models.CharField(max_length=255, help_text="The form first seen, as written.")
    type = models.CharField(max_length=10, choices=Type.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    pseudonym = models.CharField(max_length=255, blank=True)
    number = models.PositiveIntegerField(default=0, help_text="n of the default [Type n].")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["type", "key", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="identifier_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"


class IdentifierOccurrence(models.Model):
    """Where an identifier was found, or replaced. Before applying, ``[start, end)`` is the
    original text in the transcript; after, it is the pseudonym, and ``original`` keeps what
    was there (for reversal by an owner)."""

    identifier = models.ForeignKey(Identifier, on_delete=models.CASCADE, related_name="occurrences")
    transcript = models.ForeignKey(
        Transcript, on_delete=models.CASCADE, related_name="identifier_occurrences"
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    original = models.CharField(max_length=500)
    rule = models.CharField(max_length=60, blank=True)
    alternatives = models.JSONField(default=list, blank=True)
    content_hash = models.CharField(max_length=64, help_text="The transcript's, when found.")
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["transcript_id", "start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="occurrence_not_empty"
            ),
        ]
        indexes = [models.Index(fields=["transcript", "start"])]

    def __str__(self) -> str:
        return f"occurrence #{self.pk}"
