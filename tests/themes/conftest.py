from __future__ import annotations

import hashlib

import pytest

from coding.models import Code
from transcripts.models import Transcript, Turn

FRAMEWORK = [
    (
        "Data security",
        "Whether data can be kept secure from hacking, cyber attacks and human error; "
        "encryption and staff training",
    ),
    (
        "Opting out",
        "Knowing whether and how one can opt out of data sharing and what opting out covers",
    ),
    (
        "Contact by letter or phone",
        "How people want to be contacted for support: a letter, a phone call, from their GP",
    ),
]

TURNS = [
    ("Moderator", "What worries you about your records?"),
    ("P1", "Hackers broke into the hospital system last year, so I worry about hacking."),
    ("P2", "I want to know how to opt out and whether opting out covers everything."),
    ("P3", "A letter from my GP would be better than a phone call out of the blue."),
    ("P1", "Staff training matters because human error leaks data."),
    ("P2", "Can I opt out online, or do I need a form from the surgery?"),
    ("P3", "I would never answer a phone call from a number I do not know."),
]


def make_transcript(project, turns=TURNS, name="FG1"):
    text, spans = "", []
    for speaker, words in turns:
        if text:
            text += "\n\n"
        line = f"{speaker}: "
        start = len(text) + len(line)
        text += line + words
        spans.append((speaker, start, len(text)))
    transcript = Transcript.objects.create(
        project=project,
        name=name,
        text=text,
        content_hash=hashlib.sha256(f"{project.pk}{name}{text}".encode()).hexdigest(),
    )
    for order, (speaker, start, end) in enumerate(spans):
        Turn.objects.create(
            transcript=transcript,
            order=order,
            speaker_label=speaker,
            is_facilitator=speaker == "Moderator",
            start=start,
            end=end,
        )
    return transcript


def make_framework(project, framework=FRAMEWORK):
    return [
        Code.objects.create(project=project, name=name, definition=definition, order=i)
        for i, (name, definition) in enumerate(framework)
    ]


@pytest.fixture
def framework(project):
    return make_framework(project)


@pytest.fixture
def transcript(project):
    return make_transcript(project)


@pytest.fixture(autouse=True)
def _run_on_commit(monkeypatch):
    """Jobs are enqueued on commit, which never comes inside a test's transaction: run the
    callbacks at once (Celery is eager), as a real commit would."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())
