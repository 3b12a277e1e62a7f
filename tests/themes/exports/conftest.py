"""A small coded study for the export tests: two groups, three participants with an age band,
a theme with a sub-code and a second theme, and quotes with commas, newlines, emoji and a
leading ``=``."""

from __future__ import annotations

import datetime
import hashlib
from types import SimpleNamespace

import pytest

from coding.services.codes import code_create
from coding.services.codings import coding_apply, coding_update
from config.demo import build_text
from tests.conftest import member
from transcripts.models import Attribute, AttributeValue, Participant, Transcript, Turn

FG1_TURNS = [
    ("Moderator", "Welcome. How should the NHS tell you about data use?"),
    ("P1", "=SUM(A1:A9) is how they think of us, honestly, just numbers."),
    ("P2", "Definitely letter. I would pay more attention to a letter than a phone call"),
    ("P1", "Hacking worries me 😟\nand the wrong email, too."),
]
FG2_TURNS = [
    ("Facilitator", "Anything else?"),
    ("P3", "-1 for apps, +1 for leaflets, @everyone agrees"),
]


def make_transcript(project, name, turns, participants, *, order, site, date, minute=0):
    text, spans = build_text(turns)
    transcript = Transcript.objects.create(
        project=project,
        name=name,
        site=site,
        date=date,
        text=text,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        original_filename=f"{name} transcript.docx",
        order=order,
    )
    Turn.objects.bulk_create(
        Turn(
            transcript=transcript,
            order=index,
            speaker_label=speaker,
            participant=participants.get(speaker),
            is_facilitator=speaker not in participants,
            start=start,
            end=end,
            timestamp_start_ms=(minute * 60 + index * 71) * 1000,
        )
        for index, (speaker, start, end) in enumerate(spans)
    )
    return transcript, spans


def code_span(transcript, spans, turn_index, *, code, coder, part=None, memo=""):
    _, start, end = spans[turn_index]
    if part is not None:
        offset = transcript.text.index(part, start)
        start, end = offset, offset + len(part)
    return coding_apply(
        transcript=transcript, start=start, end=end, code=code, coder=coder, memo=memo
    )


@pytest.fixture
def study(project, user):
    second_coder = member(project, "coder")
    age = Attribute.objects.create(
        project=project,
        name="Age band",
        type="choice",
        order=0,
        choices=["25-34", "55-64", "65-74"],
    )
    carer = Attribute.objects.create(project=project, name="Carer", order=1)
    people = {}
    for label, band, is_carer in (
        ("P1", "55-64", "No"),
        ("P2", "65-74", "Yes"),
        ("P3", "25-34", "Yes"),
    ):
        people[label] = Participant.objects.create(project=project, label=label)
        AttributeValue.objects.create(participant=people[label], attribute=age, value=band)
        AttributeValue.objects.create(participant=people[label], attribute=carer, value=is_carer)
    fg1, fg1_spans = make_transcript(
        project,
        "FG1",
        FG1_TURNS,
        people,
        order=0,
        site="Leeds, West Yorkshire",
        date=datetime.date(2025, 3, 4),
        minute=12,
    )
    fg2, fg2_spans = make_transcript(
        project, "FG2", FG2_TURNS, people, order=1, site="Bristol", date=None
    )
    communication = code_create(
        project=project,
        user=user,
        name="Communication",
        order=1,
        definition="How people want to be told: letters, calls.",
    )
    safety = code_create(
        project=project, user=user, name="Safety", order=0, definition="Keeping data safe."
    )
    hacking = code_create(project=project, user=user, name="Hacking", parent=safety)
    numbers = code_span(fg1, fg1_spans, 1, code=safety, coder=user, memo="=cmd|' /C calc'!A0")
    letter = code_span(
        fg1, fg1_spans, 2, code=communication, coder=user, memo="Key, quote\r\nfrom a textarea"
    )
    worry = code_span(fg1, fg1_spans, 3, code=hacking, coder=second_coder)
    leaflets = code_span(fg2, fg2_spans, 1, code=communication, coder=second_coder)
    welcome = code_span(fg1, fg1_spans, 0, code=communication, coder=user, part="Welcome")
    coding_update(coding=letter, user=user, starred=True)
    coding_update(coding=worry, user=user, starred=True)
    return SimpleNamespace(
        project=project,
        owner=user,
        second_coder=second_coder,
        age=age,
        carer=carer,
        people=people,
        fg1=fg1,
        fg2=fg2,
        safety=safety,
        hacking=hacking,
        communication=communication,
        numbers=numbers,
        letter=letter,
        worry=worry,
        leaflets=leaflets,
        welcome=welcome,
    )
