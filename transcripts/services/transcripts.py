"""The one way a transcript is made: its text, its speaker turns and the participants who speak.

Upload (``services.uploads``), the REFI-QDA import (``coding.refi``) and the demo
(``config.demo``) all call ``transcript_create``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from ..models import Participant, Project, Transcript, Turn
from .participants import participants_ensure


@dataclass(frozen=True)
class TurnSpec:
    """One speaker turn: a span of the text (code points, end exclusive) and who speaks.
    ``participant`` is the label of the participant speaking ("" for none); a participant
    that does not exist yet is created."""

    start: int
    end: int
    speaker_label: str = ""
    participant: str = ""
    is_facilitator: bool = False
    timestamp_start_ms: int | None = None
    timestamp_end_ms: int | None = None


class TranscriptInvalid(ValueError):
    """The text or its turns cannot make a transcript; the message says why."""


class TranscriptDuplicate(Exception):
    """The project already holds a transcript with the same text."""

    def __init__(self, message: str, existing: Transcript | None = None) -> None:
        super().__init__(message)
        self.existing = existing


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def transcript_create(
    *,
    project: Project,
    name: str,
    text: str,
    turns: Sequence[TurnSpec],
    user: Any = None,
    order: int | None = None,
    **details: Any,
) -> Transcript:
    """Write a transcript with its turns, creating the participants its turns name.

    ``details`` are the transcript's other fields (kind, site, date, facilitator,
    description, source_format, original_file, original_filename, encoding). ``order``
    defaults to after the project's last transcript. Raises ``TranscriptInvalid`` or
    ``TranscriptDuplicate`` before anything is written; call it inside the caller's
    transaction to make its own writes all or nothing."""
    if not text.strip():
        raise TranscriptInvalid("no text to import.")
    if any(not 0 <= turn.start <= turn.end <= len(text) for turn in turns):
        raise TranscriptInvalid("speaker turns fall outside the text.")
    digest = content_hash(text)
    with transaction.atomic():
        # The project's row is held until the caller commits: imports into one project take
        # turns here, so the duplicate check below cannot race (a failing INSERT would also
        # write the whole text into the database server's log) and orders never collide.
        counter = (
            Project.objects.select_for_update().only("next_transcript_order").get(pk=project.pk)
        )
        existing = project.transcripts.filter(content_hash=digest).only("name").first()
        if existing is not None:
            raise TranscriptDuplicate(
                f"the same text is already in the project as {existing.name}.", existing
            )
        if order is None:
            order = counter.next_transcript_order
        Project.objects.filter(pk=project.pk).update(
            next_transcript_order=max(counter.next_transcript_order, order + 1)
        )
        participants = participants_ensure(
            project=project, labels={turn.participant for turn in turns if turn.participant}
        )
        created_by = user if user is not None and user.is_authenticated else None
        try:
            with transaction.atomic():
                transcript = Transcript.objects.create(
                    project=project,
                    name=name[:200],
                    text=text,
                    content_hash=digest,
                    order=order,
                    created_by=created_by,
                    **details,
                )
        except IntegrityError:
            raise TranscriptDuplicate("the same text is already in the project.") from None
        _turns_write(transcript, turns, participants)
    from ..pseudonymise.services import known_identifiers_mark

    known_identifiers_mark(transcript)  # "Sophie", accepted earlier, is flagged here too
    return transcript


def _turns_write(
    transcript: Transcript, turns: Sequence[TurnSpec], participants: dict[str, Participant]
) -> None:
    Turn.objects.bulk_create(
        (
            Turn(
                transcript=transcript,
                order=index,
                speaker_label=turn.speaker_label[:100],
                participant=participants.get(turn.participant),
                is_facilitator=turn.is_facilitator,
                start=turn.start,
                end=turn.end,
                timestamp_start_ms=turn.timestamp_start_ms,
                timestamp_end_ms=turn.timestamp_end_ms,
            )
            for index, turn in enumerate(turns)
        ),
        batch_size=1000,
    )
