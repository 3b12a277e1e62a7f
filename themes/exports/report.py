"""The report: for each theme in framework order, its definition, how many quotes and groups
it has, and the quotes the analyst starred, each attributed to its group or participant type.
Written as DOCX (python-docx) or as a standalone HTML page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

from django.template.loader import render_to_string
from django.utils import timezone

from coding.models import Code
from transcripts.models import Attribute, Project

from .cells import xml_safe
from .records import ExportFilters, ProjectIndex, QuoteRecord, quote_records

ATTRIBUTION_GROUP = "group"
ATTRIBUTION_GROUP_PARTICIPANT = "group_participant"


@dataclass(frozen=True)
class Attribution:
    """How a quote is attributed: ``group`` "(FG3)", ``group_participant`` "(FG3, P2)",
    ``attribute`` "(Age band 55-64)" or ``group_attribute`` "(FG3, Age band 55-64)"."""

    style: str = ATTRIBUTION_GROUP
    attribute: Attribute | None = None

    def label(self, record: QuoteRecord) -> str:
        parts: list[str] = []
        if self.style in (ATTRIBUTION_GROUP, ATTRIBUTION_GROUP_PARTICIPANT, "group_attribute"):
            parts.append(record.group.name)
        if self.style == ATTRIBUTION_GROUP_PARTICIPANT and record.who:
            parts.append(record.who)
        if self.style in ("attribute", "group_attribute") and self.attribute is not None:
            value = record.attributes.get(self.attribute.pk)
            parts.append(f"{self.attribute.name} {value}" if value else "participant unknown")
        return "(" + ", ".join(parts) + ")"


@dataclass
class ReportQuote:
    text: str
    attribution: str
    code_path: str


@dataclass
class ReportTheme:
    code: Code
    quote_count: int = 0
    groups: set[int] = field(default_factory=set)
    starred: list[ReportQuote] = field(default_factory=list)

    @property
    def group_count(self) -> int:
        return len(self.groups)


@dataclass
class Report:
    project: Project
    themes: list[ReportTheme]
    filters: list[str]
    created_at: Any


def report_build(*, project: Project, filters: ExportFilters, attribution: Attribution) -> Report:
    """One pass over the filtered quotes: counts for every theme, starred quotes kept."""
    index = ProjectIndex(project)
    themes = {theme.pk: ReportTheme(code=theme) for theme in index.themes}
    for record in quote_records(project, filters, index):
        theme = themes[record.theme.pk]
        theme.quote_count += 1
        theme.groups.add(record.group.id)
        if record.starred:
            theme.starred.append(
                ReportQuote(
                    text=record.text,
                    attribution=attribution.label(record),
                    code_path=record.code_path if record.code.parent_id else "",
                )
            )
    if filters.codes:
        chosen = {index.theme_of[code.pk].pk for code in filters.codes}
        themes = {pk: theme for pk, theme in themes.items() if pk in chosen}
    return Report(
        project=project,
        themes=list(themes.values()),
        filters=filters.describe(),
        created_at=timezone.localtime(),
    )


def quote_sentence(quote: ReportQuote) -> str:
    return f"'{quote.text}' {quote.attribution}"


def report_docx_write(report: Report, out: IO[bytes] | str) -> None:
    from docx import Document

    document = Document()
    document.core_properties.title = f"{report.project.name}: themes and quotes"
    document.add_heading(xml_safe(report.project.name), level=0)
    intro = document.add_paragraph(
        f"Themes and quotes, generated {report.created_at:%d %B %Y %H:%M}."
    )
    for line in report.filters:
        intro.add_run("\n" + xml_safe(line))
    for theme in report.themes:
        document.add_heading(xml_safe(theme.code.name), level=1)
        if theme.code.definition:
            document.add_paragraph().add_run(xml_safe(theme.code.definition)).italic = True
        document.add_paragraph(counts_sentence(theme))
        for quote in theme.starred:
            paragraph = document.add_paragraph(style="Quote")
            lines = xml_safe(quote_sentence(quote)).split("\n")
            run = paragraph.add_run(lines[0])
            for line in lines[1:]:
                run.add_break()
                run = paragraph.add_run(line)
            if quote.code_path:
                paragraph.add_run(f"  [{xml_safe(quote.code_path)}]").italic = True
        if not theme.starred:
            document.add_paragraph("No starred quotes yet.").runs[0].italic = True
    document.save(out)


def counts_sentence(theme: ReportTheme) -> str:
    quotes = "quote" if theme.quote_count == 1 else "quotes"
    groups = "group" if theme.group_count == 1 else "groups"
    return f"{theme.quote_count} {quotes} from {theme.group_count} {groups}."


def report_html(report: Report) -> str:
    return render_to_string(
        "themes/exports/report.html",
        {
            "report": report,
            "themes": [
                {"theme": theme, "counts": counts_sentence(theme), "quotes": theme.starred}
                for theme in report.themes
            ],
        },
    )
