"""Transcripts with real speaker turns, built the way importers store them."""

from __future__ import annotations

import hashlib

import pytest

from transcripts.models import Attribute, AttributeValue, Participant, Transcript, Turn


def transcript_with_turns(project, turns, *, name="FG1", attributes=None, **fields):
    """``turns`` is ``[(speaker, words), ...]``; speakers other than Moderator become
    participants, with ``attributes = {label: {attribute: value}}``."""
    text, spans = _text_and_spans(turns)
    transcript = Transcript.objects.create(
        project=project,
        name=name,
        text=text,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        **fields,
    )
    participants = {}
    for speaker, _words in turns:
        if speaker != "Moderator" and speaker not in participants:
            participants[speaker], _ = Participant.objects.get_or_create(
                project=project, label=speaker
            )
    for label, values in (attributes or {}).items():
        for attribute_name, value in values.items():
            attribute, _ = Attribute.objects.get_or_create(project=project, name=attribute_name)
            AttributeValue.objects.update_or_create(
                participant=participants[label], attribute=attribute, defaults={"value": value}
            )
    Turn.objects.bulk_create(
        Turn(
            transcript=transcript,
            order=index,
            speaker_label=speaker,
            participant=participants.get(speaker),
            is_facilitator=speaker == "Moderator",
            start=start,
            end=end,
        )
        for index, (speaker, start, end) in enumerate(spans)
    )
    return transcript


def _text_and_spans(turns):
    """Like the demo's builder but without NFC, so tests can keep combining accents."""
    parts, spans, position = [], [], 0
    for speaker, words in turns:
        prefix = f"{speaker}: "
        spans.append((speaker, position + len(prefix), position + len(prefix) + len(words)))
        parts.append(prefix + words)
        position += len(prefix) + len(words) + 2
    return "\n\n".join(parts), spans


TURNS = [
    ("Moderator", "How do you feel about sharing your health records?"),
    ("P1", "If it helps other people, I'm all for it. As long as my name isn't on it."),
    ("P2", "I'd want to know who gets it. Not big tech companies."),
    ("P3", "Nobody told me I could opt out. I'd want a letter explaining it."),
]


@pytest.fixture
def transcript(project):
    return transcript_with_turns(project, TURNS)


def span_of(transcript, words):
    start = transcript.text.index(words)
    return start, start + len(words)
