"""Retrieval: every quote coded with a code (or a theme and its sub-codes), with who said it.

Reads are scoped to a project the caller has already checked through the selectors.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, QuerySet, Subquery

from transcripts.models import Attribute, AttributeValue, Project, Transcript, Turn

from ..models import Code, Coding
from .codes import code_descendant_ids
from .team import AGREED, CODERS, coding_set, codings_visible

QUOTES_PER_PAGE = 100


@dataclass
class QuoteFilters:
    transcript_ids: list[int] = field(default_factory=list)
    coder_ids: list[int] = field(default_factory=list)
    attribute_values: dict[int, list[str]] = field(default_factory=dict)
    coding_set: str = CODERS  # or AGREED: the adjudicated codings

    @property
    def active(self) -> bool:
        return bool(self.transcript_ids or self.coder_ids or self.attribute_values)


@dataclass
class Quote:
    coding: Coding
    turn_id: int | None = None
    speaker: str = ""
    participant: str = ""
    participant_id: int | None = None
    attributes: list[tuple[str, str]] = field(default_factory=list)


def _ints(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


def quote_filters_parse(*, params: Any, project: Project) -> QuoteFilters:
    """``?transcript=1&transcript=2&coder=5&attr-3=55-64``; unknown attributes are ignored."""
    attribute_ids = set(Attribute.objects.filter(project=project).values_list("pk", flat=True))
    attribute_values: dict[int, list[str]] = {}
    for key in params:
        if key.startswith("attr-") and key[5:].isdigit() and int(key[5:]) in attribute_ids:
            values = [value for value in params.getlist(key) if value]
            if values:
                attribute_values[int(key[5:])] = values
    return QuoteFilters(
        transcript_ids=_ints(params.getlist("transcript")),
        coder_ids=_ints(params.getlist("coder")),
        attribute_values=attribute_values,
        coding_set=AGREED if params.get("set") == AGREED else CODERS,
    )


def quote_queryset(
    *, project: Project, code: Code, filters: QuoteFilters, user: Any = None
) -> QuerySet[Coding]:
    codings = Coding.objects.filter(
        transcript__project=project, code_id__in=code_descendant_ids(code=code)
    )
    codings = coding_set(codings, which=filters.coding_set, project=project)
    if user is not None:
        codings = codings_visible(codings, user=user, project=project)
    if filters.transcript_ids:
        codings = codings.filter(transcript_id__in=filters.transcript_ids)
    if filters.coder_ids:
        codings = codings.filter(coder_id__in=filters.coder_ids)
    if filters.attribute_values:
        # The speaker of a quote is the participant of the last turn starting at or before it:
        # one index lookup per coding on (transcript, start).
        speaker = Turn.objects.filter(
            transcript_id=OuterRef("transcript_id"), start__lte=OuterRef("start")
        ).order_by("-start")
        codings = codings.annotate(speaker_id=Subquery(speaker.values("participant_id")[:1]))
    for attribute_id, values in filters.attribute_values.items():
        participants = AttributeValue.objects.filter(
            attribute_id=attribute_id, value__in=values
        ).values("participant_id")
        codings = codings.filter(speaker_id__in=participants)  # type: ignore[misc]
    return codings.order_by("transcript__order", "transcript_id", "start", "end", "pk")


def quote_counts_by_transcript(*, codings: QuerySet[Coding]) -> list[dict[str, Any]]:
    return list(
        codings.order_by()  # type: ignore[arg-type]
        .values("transcript_id", "transcript__name", "transcript__order")
        .annotate(count=Count("pk"))
        .order_by("transcript__order", "transcript__name")
    )


def quote_page(*, codings: QuerySet[Coding], page_number: Any) -> tuple[Page, list[Quote]]:
    """One page of quotes with their speaker, participant and participant attributes
    (a fixed number of queries whatever the page size)."""
    rows_with_relations = codings.select_related("transcript", "code", "coder").defer(
        "transcript__text"  # a whole transcript per quote would dominate the page's cost
    )
    paginator = Paginator(rows_with_relations, QUOTES_PER_PAGE)
    page = paginator.get_page(page_number)
    rows = list(page.object_list)
    transcript_ids = {coding.transcript_id for coding in rows}
    turns_by_transcript: dict[int, list[tuple[int, int, int, str, int | None, str]]] = {}
    for row in (
        Turn.objects.filter(transcript_id__in=transcript_ids)
        .order_by("transcript_id", "start")
        .values_list(
            "transcript_id",
            "start",
            "end",
            "pk",
            "speaker_label",
            "participant_id",
            "participant__label",
        )
    ):
        turns_by_transcript.setdefault(row[0], []).append(row[1:])  # type: ignore[arg-type]
    quotes = [_quote(coding, turns_by_transcript.get(coding.transcript_id, [])) for coding in rows]
    participant_ids = {quote.participant_id for quote in quotes if quote.participant_id}
    attributes: dict[int, list[tuple[str, str]]] = {}
    for participant_id, name, value in (
        AttributeValue.objects.filter(participant_id__in=participant_ids)
        .order_by("attribute__order", "attribute__name")
        .values_list("participant_id", "attribute__name", "value")
    ):
        attributes.setdefault(participant_id, []).append((name, value))
    for quote in quotes:
        quote.attributes = attributes.get(quote.participant_id or 0, [])
    return page, quotes


def _quote(coding: Coding, turns: list[Any]) -> Quote:
    """Attach the quote's speaker turn, participant and their attributes."""
    quote = Quote(coding=coding)
    if not turns:
        return quote
    # The last turn starting at or before the quote (as the attribute filter counts it).
    index = max(bisect_right([turn[0] for turn in turns], coding.start) - 1, 0)
    if turns[index][0] >= coding.end:
        return quote
    _start, _end, pk, speaker, participant_id, participant_label = turns[index]
    quote.turn_id, quote.speaker, quote.participant = pk, speaker, participant_label or ""
    quote.participant_id = participant_id
    return quote


def quote_filter_choices(*, project: Project) -> dict[str, Any]:
    """What the filter form offers: groups, coders, and each attribute's values in use."""
    values: dict[int, list[str]] = {}
    for attribute_id, value in (
        AttributeValue.objects.filter(attribute__project=project)
        .order_by("attribute_id", "value")
        .values_list("attribute_id", "value")
        .distinct()
    ):
        values.setdefault(attribute_id, []).append(value)
    attributes = [
        (attribute, values.get(attribute.pk, []))
        for attribute in Attribute.objects.filter(project=project)
    ]
    return {
        "transcripts": list(
            Transcript.objects.filter(project=project).only("id", "name", "order", "site")
        ),
        "attributes": [(a, v) for a, v in attributes if v],
    }
