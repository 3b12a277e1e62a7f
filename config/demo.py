"""A small demo project: two short focus groups about using patient data without prior consent,
and a framework of a few themes. Written for this project; no real participants."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from coding.services.codes import code_create
from coding.services.codings import coding_apply, coding_update
from transcripts.importers.text import document_from_text
from transcripts.models import Attribute, AttributeValue, Participant, Project
from transcripts.services.projects import project_create
from transcripts.services.transcripts import TurnSpec, transcript_create

GROUPS: list[dict[str, Any]] = [
    {
        "name": "FG1",
        "site": "Community centre, Leeds",
        "date": datetime.date(2025, 3, 4),
        "facilitator": "Moderator",
        "description": "Adults with a long-term condition",
        "turns": [
            (
                "Moderator",
                "Thanks for coming. How do you feel about the NHS using your health "
                "records for research without asking you first?",
            ),
            (
                "P1",
                "If it helps other people with the same condition, I'm all for it. As long "
                "as my name isn't on it.",
            ),
            (
                "P2",
                "I'd want to know who gets it. Not big tech companies, not someone selling "
                "it on to insurers.",
            ),
            (
                "P3",
                "Honestly I didn't know you could opt out. Nobody ever told me. I'd want a "
                "letter explaining it properly.",
            ),
            ("Moderator", "What would reassure you that the data is safe?"),
            ("P2", "Proper security. You hear about hospitals being hacked and it worries me."),
            (
                "P1",
                "Staff training too. Most leaks are somebody sending the wrong email, aren't they?",
            ),
            ("P3", "Definitely letter. I would pay more attention to a letter than a phone call."),
        ],
    },
    {
        "name": "FG2",
        "site": "Children's centre, Bristol",
        "date": datetime.date(2025, 3, 11),
        "facilitator": "Facilitator",
        "description": "Parents at a Children's Centre",
        "turns": [
            ("Facilitator", "Should the council and the NHS link their records to plan services?"),
            (
                "P4",
                "If it means my son's school and his doctor actually talk to each other, "
                "yes. Joined-up services would save everyone time.",
            ),
            (
                "P5",
                "I worry about mistakes, though. Once it's linked, a wrong note follows you "
                "everywhere.",
            ),
            (
                "P6",
                "It should be anonymous. Then I don't mind them counting how many kids need "
                "speech therapy.",
            ),
            ("Facilitator", "And if you wanted to say no?"),
            (
                "P5",
                "There should be one simple form to opt out of everything, not a different "
                "one for every agency.",
            ),
            ("P4", "I'd trust it more if they published what they used it for, every year."),
        ],
    },
]

FRAMEWORK = [
    (
        "Views on sharing data",
        "Support for, or conditions on, using patient data without "
        "prior consent: anonymity, who receives it, commercial use.",
        "#6fcf97",
    ),
    (
        "Opting out",
        "Knowing whether and how one can opt out, and what opting out covers.",
        "#56ccf2",
    ),
    (
        "Safety and security",
        "Keeping data safe from hacking and human error, and what would "
        "reassure people: training, standards, transparency.",
        "#f2994a",
    ),
    (
        "Communication",
        "How people want to be told about data use: letters, leaflets, "
        "phone calls, published reports.",
        "#bb6bd9",
    ),
    (
        "Joined-up services",
        "Linking data across agencies to plan and evaluate services.",
        "#f2c94c",
    ),
]

PARTICIPANTS = {
    "P1": {"Age band": "55-64", "Gender": "Female", "Carer": "No"},
    "P2": {"Age band": "65-74", "Gender": "Male", "Carer": "No"},
    "P3": {"Age band": "35-44", "Gender": "Female", "Carer": "Yes"},
    "P4": {"Age band": "25-34", "Gender": "Female", "Carer": "Yes"},
    "P5": {"Age band": "35-44", "Gender": "Male", "Carer": "Yes"},
    "P6": {"Age band": "25-34", "Gender": "Non-binary", "Carer": "Yes"},
}
FACILITATOR_LABELS = {"Moderator", "Facilitator"}

# A few quotes already coded, so the matrix, the report and the suggestions have something to
# start from: (group, quote, code, starred for the report).
CODINGS = [
    ("FG1", "As long as my name isn't on it.", "Views on sharing data", True),
    (
        "FG1",
        "Not big tech companies, not someone selling it on to insurers.",
        "Views on sharing data",
        True,
    ),
    ("FG1", "Honestly I didn't know you could opt out. Nobody ever told me.", "Opting out", True),
    (
        "FG1",
        "You hear about hospitals being hacked and it worries me.",
        "Safety and security",
        True,
    ),
    (
        "FG1",
        "Definitely letter. I would pay more attention to a letter than a phone call.",
        "Communication",
        True,
    ),
    ("FG2", "Joined-up services would save everyone time.", "Joined-up services", True),
    (
        "FG2",
        "There should be one simple form to opt out of everything, not a different one for "
        "every agency.",
        "Opting out",
        False,
    ),
]


def build_text(turns: list[tuple[str, str]]) -> tuple[str, list[tuple[str, int, int]]]:
    """Canonical text ``"Speaker: words\\n\\n..."`` and each turn's span of its words, read
    back by the text importer exactly as an uploaded .txt transcript would be."""
    document = document_from_text(
        "\n\n".join(f"{speaker}: {words}" for speaker, words in turns), source_format="demo"
    )
    return document.text, [(t.speaker, t.start, t.end) for t in document.turns]


@transaction.atomic
def demo_project_create(*, user: Any) -> Project:
    project = project_create(
        name="Patient data without consent (demo)",
        description="Two short focus groups about how the NHS should use patient data "
        "without prior consent.",
        user=user,
    )
    attributes = {
        name: Attribute.objects.create(project=project, name=name, order=index)
        for index, name in enumerate(["Age band", "Gender", "Carer"])
    }
    participants = {}
    for label, values in PARTICIPANTS.items():
        participant = Participant.objects.create(project=project, label=label)
        participants[label] = participant
        for name, value in values.items():
            AttributeValue.objects.create(
                participant=participant, attribute=attributes[name], value=value
            )
    for order, group in enumerate(GROUPS):
        text, spans = build_text(group["turns"])
        transcript_create(
            project=project,
            name=group["name"],
            text=text,
            turns=[
                TurnSpec(
                    start=start,
                    end=end,
                    speaker_label=speaker,
                    participant=speaker if speaker in participants else "",
                    is_facilitator=speaker in FACILITATOR_LABELS,
                )
                for speaker, start, end in spans
            ],
            user=user,
            order=order,
            site=group["site"],
            date=group["date"],
            facilitator=group["facilitator"],
            description=group["description"],
            source_format="demo",
        )
    codes = {
        name: code_create(
            project=project,
            user=user,
            name=name,
            definition=definition,
            colour=colour,
            order=order,
        )
        for order, (name, definition, colour) in enumerate(FRAMEWORK)
    }
    for group_name, quote, code_name, starred in CODINGS:
        transcript = project.transcripts.get(name=group_name)
        start = transcript.text.index(quote)
        coding = coding_apply(
            transcript=transcript,
            start=start,
            end=start + len(quote),
            code=codes[code_name],
            coder=user,
        )
        if starred:
            coding_update(coding=coding, user=user, starred=True)
    return project
