"""Text search across a project's transcripts, with keyword-in-context results.

Matching is case-insensitive and accent-insensitive both ways ("cafe" finds "Café", "café"
with a combining accent, and "CAFÉ"; "café" finds "cafe") because every letter of the query
becomes a character class of its accented variants followed by optional combining marks. The
regular expression runs on the canonical text itself, so match offsets are code points into
``Transcript.text`` with no mapping. Words match at their start ("hack" finds "hacked",
"hacking"); "quoted phrases" match as a whole, with any white space between their words.
Several terms must all occur in the same turn; every occurrence is a hit.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from transcripts.models import Project, Transcript, Turn

from ..models import Coding
from .team import codings_visible

COMBINING = "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]*"
CONTEXT_CHARS = 90
MAX_HITS = 500


@dataclass
class Hit:
    transcript: Transcript
    turn_id: int | None
    speaker: str
    participant: str
    start: int
    end: int
    left: str
    match: str
    right: str
    codes: list[Any] = field(default_factory=list)  # codes already on the matched words

    @property
    def where(self) -> str:
        """``transcript:start:end``, what "code this hit" posts back."""
        return f"{self.transcript.pk}:{self.start}:{self.end}"


def fold(text: str) -> str:
    """Lower case without accents: the form queries are compared in."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@cache
def _letter_variants() -> dict[str, str]:
    variants: dict[str, set[str]] = {}
    for codepoint in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        char = chr(codepoint)
        base = unicodedata.normalize("NFD", char)[0]
        if base.isascii() and base.isalpha() and base != char:
            variants.setdefault(base.lower(), set()).update({char, char.lower(), char.upper()})
    return {base: "".join(sorted(chars)) for base, chars in variants.items()}


def query_terms(query: str) -> list[str]:
    """``opt out "phone call"`` -> ``["opt", "out", "phone call"]``."""
    terms = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', query or ""):
        term = " ".join((phrase or word).split()).strip("\"'")
        if term:
            terms.append(term)
    return terms[:10]


def term_pattern(term: str) -> re.Pattern[str]:
    variants = _letter_variants()
    parts = []
    for char in fold(term):
        if char.isspace():
            parts.append(r"\s+")
        elif char in variants:
            parts.append(f"[{re.escape(char + char.upper() + variants[char])}]{COMBINING}")
        else:
            parts.append(re.escape(char) + COMBINING)
    return re.compile(r"(?<!\w)" + "".join(parts), re.IGNORECASE)


def _context(text: str, start: int, end: int, lo: int, hi: int) -> tuple[str, str]:
    """Up to ``CONTEXT_CHARS`` either side within the turn, cut at a word boundary."""
    left_from = max(lo, start - CONTEXT_CHARS)
    left = text[left_from:start]
    if left_from > lo and " " in left:
        left = "… " + left[left.index(" ") + 1 :]
    right_to = min(hi, end + CONTEXT_CHARS)
    right = text[end:right_to]
    if right_to < hi and " " in right:
        right = right[: right.rindex(" ")] + " …"
    return left, right


def search_hits(
    *,
    project: Project,
    query: str,
    transcript_ids: list[int] | None = None,
    speakers: list[str] | None = None,
    limit: int = MAX_HITS,
) -> tuple[list[Hit], int]:
    """The first ``limit`` hits in transcript order, and the total number of hits."""
    terms = query_terms(query)
    if not terms:
        return [], 0
    patterns = [term_pattern(term) for term in terms]
    chosen = Transcript.objects.filter(project=project).only("id", "name", "order", "text")
    if transcript_ids:
        chosen = chosen.filter(pk__in=transcript_ids)
    hits: list[Hit] = []
    total = 0
    transcripts = list(chosen.order_by("order", "name", "id"))
    turns_of = _turns_of(transcripts)
    for transcript in transcripts:
        turns = turns_of.get(transcript.pk) or [(None, 0, len(transcript.text), "", None)]
        by_turn = _matches_by_turn(transcript.text, turns, patterns)
        for position in sorted(by_turn):
            pk, lo, hi, speaker, participant = turns[position]
            found = by_turn[position]
            if (speakers and speaker not in speakers) or not all(found):
                continue  # another speaker, or a turn without every term
            matches = sorted((m for group in found for m in group), key=lambda m: m.start())
            total += len(matches)
            for match in matches[: max(limit - len(hits), 0)]:
                left, right = _context(transcript.text, match.start(), match.end(), lo, hi)
                hits.append(
                    Hit(
                        transcript=transcript,
                        turn_id=pk,
                        speaker=speaker,
                        participant=participant or "",
                        start=match.start(),
                        end=match.end(),
                        left=left,
                        match=match.group(0),
                        right=right,
                    )
                )
    return hits, total


TurnSpan = tuple[int | None, int, int, str, str | None]  # pk, start, end, speaker, participant


def _turns_of(transcripts: list[Transcript]) -> dict[int, list[TurnSpan]]:
    turns_of: dict[int, list[TurnSpan]] = {}
    for transcript_id, *turn in (
        Turn.objects.filter(transcript__in=[t.pk for t in transcripts])
        .order_by("transcript_id", "start")
        .values_list("transcript_id", "pk", "start", "end", "speaker_label", "participant__label")
    ):
        turns_of.setdefault(transcript_id, []).append(tuple(turn))  # type: ignore[arg-type]
    return turns_of


def _matches_by_turn(
    text: str, turns: list[TurnSpan], patterns: list[re.Pattern[str]]
) -> dict[int, list[list[re.Match[str]]]]:
    """Each term's matches, grouped by the turn they fall in (by the turn's position)."""
    starts = [turn[1] for turn in turns]
    by_turn: dict[int, list[list[re.Match[str]]]] = {}
    for index, pattern in enumerate(patterns):
        for match in pattern.finditer(text):
            position = bisect_right(starts, match.start()) - 1
            if position < 0 or match.end() > turns[position][2]:
                continue  # in a speaker label or between turns
            found = by_turn.setdefault(position, [[] for _ in patterns])
            found[index].append(match)
    return by_turn


_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)")


def sentence_span(*, text: str, lo: int, hi: int, start: int, end: int) -> tuple[int, int]:
    """The sentence(s) of ``text[lo:hi]`` around ``[start, end)``."""
    sentence_start = lo
    for match in _SENTENCE_END.finditer(text, lo, start):
        sentence_start = match.end()
    while sentence_start < start and text[sentence_start].isspace():
        sentence_start += 1
    match = _SENTENCE_END.search(text, max(end - 1, lo), hi)  # type: ignore[assignment]
    sentence_end = match.end() if match is not None else hi
    return sentence_start, max(sentence_end, end)


def hit_codes(*, hits: list[Hit], user: Any = None, project: Any = None) -> list[Hit]:
    """Each hit with the codes already on its matched words (any coder the user may see), in
    one query."""
    by_transcript: dict[int, list[Hit]] = {}
    for hit in hits:
        by_transcript.setdefault(hit.transcript.pk, []).append(hit)
    if not by_transcript:
        return hits
    visible = Coding.objects.filter(transcript_id__in=by_transcript)
    if user is not None and project is not None:
        visible = codings_visible(visible, user=user, project=project)
    rows = (
        visible.select_related("code")
        .only("transcript_id", "start", "end", "code__name", "code__colour", "code__order")
        .order_by("code__order", "code__name")
    )
    for coding in rows:
        for hit in by_transcript[coding.transcript_id]:
            if coding.start < hit.end and coding.end > hit.start and coding.code not in hit.codes:
                hit.codes.append(coding.code)
    return hits
