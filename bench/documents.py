"""Seeded big documents, shared by the benchmarks and the big-document browser test.

``big_transcript`` writes a focus group of about ``chars`` characters in speaker turns (with
emoji and combining accents, so offsets must be counted in code points) and ``codings`` codings
spread over it, a fifth of them overlapping the one before. Everything is bulk-inserted: the
300,000-character transcript with 5,000 codings takes well under a second on SQLite.
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

WORDS = [
    "data",
    "records",
    "letter",
    "trust",
    "hospital",
    "research",
    "consent",
    "share",
    "anonymous",
    "doctor",
    "nurse",
    "council",
    "school",
    "safe",
    "hack",
    "leak",
    "form",
    "opt",
    "out",
    "phone",
    "call",
    "privacy",
    "company",
    "insurance",
    "know",
    "told",
    "help",
    "people",
    "condition",
    "family",
    "carer",
    "service",
    "time",
    "worry",
    "mistake",
    "system",
]
FILLER = [
    "the",
    "a",
    "and",
    "of",
    "to",
    "I",
    "it",
    "is",
    "was",
    "we",
    "they",
    "that",
    "for",
    "with",
    "but",
    "not",
    "on",
    "my",
]
EXTRAS = [" \U0001f44d\U0001f3fd", " Cafe\u0301!", " «quoted»", ""]


def turn_texts(random_: random.Random, chars: int) -> list[tuple[str, str]]:
    """``[(speaker, text)]`` adding up to about ``chars`` characters."""
    turns: list[tuple[str, str]] = []
    total = 0
    index = 0
    while total < chars:
        speaker = "Moderator" if index % 9 == 0 else f"P{index % 8 + 1}"
        count = random_.randint(10, 70)
        words = [random_.choice(WORDS if random_.random() < 0.45 else FILLER) for _ in range(count)]
        text = " ".join(words)
        text = text[0].upper() + text[1:] + "." + random_.choice(EXTRAS)
        turns.append((speaker, text))
        total += len(speaker) + 2 + len(text) + 2
        index += 1
    return turns


def big_transcript(
    *,
    project: Any,
    coder: Any,
    codes: list[Any],
    chars: int = 300_000,
    codings: int = 5_000,
    seed: int = 7,
    name: str = "Big FG",
    turns: list[tuple[str, str]] | None = None,
) -> Any:
    """``turns`` (``[(speaker, text)]``) replaces the generated text: the peer benchmark gives
    Taguette the same words."""
    from coding.models import Coding
    from transcripts.models import Participant, Transcript, Turn

    random_ = random.Random(seed)
    turns = turns or turn_texts(random_, chars)
    parts, spans, position = [], [], 0
    for speaker, text in turns:
        prefix = f"{speaker}: "
        spans.append((speaker, position + len(prefix), position + len(prefix) + len(text)))
        parts.append(prefix + text)
        position += len(prefix) + len(text) + 2
    full = "\n\n".join(parts)
    transcript = Transcript.objects.create(
        project=project,
        name=name,
        text=full,
        content_hash=hashlib.sha256(full.encode()).hexdigest(),
    )
    people = {}
    for speaker, _text in turns:
        if speaker != "Moderator" and speaker not in people:
            people[speaker], _ = Participant.objects.get_or_create(project=project, label=speaker)
    Turn.objects.bulk_create(
        Turn(
            transcript=transcript,
            order=index,
            speaker_label=speaker,
            participant=people.get(speaker),
            is_facilitator=speaker == "Moderator",
            start=start,
            end=end,
        )
        for index, (speaker, start, end) in enumerate(spans)
    )
    rows = []
    previous: tuple[int, int] | None = None
    for index in range(codings):
        if previous is not None and index % 5 == 0:
            start = (previous[0] + previous[1]) // 2  # overlaps the previous coding
            end = min(start + random_.randint(20, 120), spans[-1][2])
        else:
            _speaker, turn_start, turn_end = spans[random_.randrange(len(spans))]
            start = random_.randint(turn_start, max(turn_start, turn_end - 20))
            end = min(turn_end, start + random_.randint(15, 160))
        if end <= start:
            end = start + 1
        rows.append(
            Coding(
                transcript=transcript,
                code=codes[index % len(codes)],
                coder=coder,
                start=start,
                end=end,
                text=full[start:end],
            )
        )
        previous = (start, end)
    Coding.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return transcript
