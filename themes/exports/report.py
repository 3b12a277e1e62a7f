"""The report: for each theme in framework order, its definition, how many quotes and groups
it has, and the quotes the analyst starred, each attributed to its group or participant type.
Written as DOCX (python-docx) or as a standalone HTML page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC as datetime_utc
from typing import IO, Any

from django.template.loader import render_to_string
from django.utils import timezone

from coding.models import Code
from transcripts.models import Attribute, Project

from .cells import xml_safe
from .records import ExportFilters, ProjectIndex, QuoteRecord, quote_records

ATTRIBUTION_GROUP = "group"
ATTRIBUTION_GROUP_PARTICIPANT = "group_participant"
QUOTES_STARRED, QUOTES_ALL = "starred", "all"


@dataclass(frozen=True)
class Attribution:
    """How a quote is attributed: ``group`` "(FG3)", ``group_participant`` "(FG3, P2)",
    ``attribute`` "(Age band 55-64)" or ``group_attribute`` "(FG3, Age band 55-64)". The values
    of ``extra`` attributes follow, in order: group and participant with Gender and Age band
    give "(FG3, P2, female 40-59)"."""

    style: str = ATTRIBUTION_GROUP
    attribute: Attribute | None = None
    extra: tuple[Attribute, ...] = ()

    def label(self, record: QuoteRecord) -> str:
        parts: list[str] = []
        if self.style in (ATTRIBUTION_GROUP, ATTRIBUTION_GROUP_PARTICIPANT, "group_attribute"):
            parts.append(record.group.name)
        if self.style == ATTRIBUTION_GROUP_PARTICIPANT and record.who:
            parts.append(record.who)
        if self.style in ("attribute", "group_attribute") and self.attribute is not None:
            value = record.attributes.get(self.attribute.pk)
            parts.append(f"{self.attribute.name} {value}" if value else "participant unknown")
        values = [record.attributes.get(a.pk, "") for a in self.extra]
        if any(values):
            parts.append(" ".join(value for value in values if value))
        return "(" + ", ".join(parts) + ")"


@dataclass
class ReportQuote:
    text: str
    attribution: str
    code_paths: list[str] = field(default_factory=list)  # the sub-codes it is under, if any

    @property
    def code_path(self) -> str:
        return "; ".join(self.code_paths)


@dataclass
class ReportTheme:
    code: Code
    quote_count: int = 0
    groups: set[int] = field(default_factory=set)
    quotes: list[ReportQuote] = field(default_factory=list)
    summaries: list[tuple[str, str]] = field(default_factory=list)  # (case, summary)
    spans: dict[tuple[int, int, int], ReportQuote] = field(default_factory=dict)

    @property
    def group_count(self) -> int:
        return len(self.groups)

    @property
    def starred(self) -> list[ReportQuote]:  # the name the templates and tests know
        return self.quotes


PSEUDONYMISED_NOTE = (
    "Pseudonymised: names and other identifiers of participants have been replaced "
    "(e.g. [Person 3]). The key that links pseudonyms to the original words is kept apart "
    "from this report."
)


@dataclass
class Report:
    project: Project
    themes: list[ReportTheme]
    filters: list[str]
    created_at: Any
    author: str = ""
    which: str = QUOTES_STARRED
    pseudonymised: bool = False

    @property
    def empty_reason(self) -> str:
        """Why no theme has a quote, said once at the top instead of an empty report."""
        if any(theme.quotes for theme in self.themes):
            return ""
        if not any(theme.quote_count for theme in self.themes):
            return "No coded quotes match the filters."
        if self.which == QUOTES_STARRED:
            return (
                "No quote is starred yet: star quotes on the Matrix page (☆), or export the "
                "report with all quotes."
            )
        return ""


def report_build(
    *,
    project: Project,
    filters: ExportFilters,
    attribution: Attribution,
    which: str = QUOTES_STARRED,
    summaries: bool = False,
    author: str = "",
) -> Report:
    """One pass over the filtered quotes: counts for every theme, and its quotes (the starred
    ones, or all). A span coded with several of the theme's codes, or by several coders, is
    one quote listing its codes."""
    index = ProjectIndex(project)
    themes = {theme.pk: ReportTheme(code=theme) for theme in index.themes}
    for record in quote_records(project, filters, index):
        theme = themes[record.theme.pk]
        theme.quote_count += 1
        theme.groups.add(record.group.id)
        if which == QUOTES_STARRED and not record.starred:
            continue
        key = (record.group.id, record.start, record.end)
        quote = theme.spans.get(key)
        if quote is None:
            quote = ReportQuote(text=record.text, attribution=attribution.label(record))
            theme.spans[key] = quote
            theme.quotes.append(quote)
        if record.code.parent_id and record.code_path not in quote.code_paths:
            quote.code_paths.append(record.code_path)
    if summaries:
        _summaries_add(project, themes, index)
    if filters.codes:
        chosen = {index.theme_of[code.pk].pk for code in filters.codes}
        themes = {pk: theme for pk, theme in themes.items() if pk in chosen}
    return Report(
        project=project,
        themes=list(themes.values()),
        filters=filters.describe(),
        pseudonymised=index.pseudonymised,
        created_at=timezone.localtime(),
        author=author,
        which=which,
    )


def _summaries_add(project: Project, themes: dict[int, ReportTheme], index: ProjectIndex) -> None:
    """The framework matrix's cell summaries, under the theme of their code, by case."""
    from ..models import MatrixCellSummary

    for summary in (
        MatrixCellSummary.objects.filter(project=project)
        .exclude(text="")
        .select_related("participant", "transcript", "attribute")
        .order_by("code__order", "case_kind", "id")
    ):
        theme = (
            themes.get(index.theme_of[summary.code_id].pk)
            if summary.code_id in index.theme_of
            else None
        )
        if theme is None:
            continue
        if summary.participant is not None:
            case = summary.participant.label
        elif summary.transcript is not None:
            case = summary.transcript.name
        else:
            case = (
                f"{summary.attribute.name} {summary.attribute_value}" if summary.attribute else ""
            )
        code = index.paths.get(summary.code_id, "")
        where = f"{case} ({code})" if summary.code_id != theme.code.pk else case
        theme.summaries.append((where, summary.text))


def quote_sentence(quote: ReportQuote) -> str:
    return f"'{quote.text}' {quote.attribution}"


def report_docx_write(report: Report, out: IO[bytes] | str) -> None:
    from docx import Document

    document = Document()
    properties = document.core_properties
    properties.title = f"{report.project.name}: themes and quotes"
    properties.subject = "Framework analysis report"
    properties.author = properties.last_modified_by = report.author or "Focus groups"
    properties.comments = ""
    properties.keywords = ""
    properties.revision = 1
    when = report.created_at.astimezone(datetime_utc).replace(tzinfo=None)
    properties.created = properties.modified = when
    properties.last_printed = when
    document.add_heading(xml_safe(report.project.name), level=0)
    intro = document.add_paragraph(
        f"Themes and quotes, generated {report.created_at:%d %B %Y %H:%M}."
    )
    for line in report.filters:
        intro.add_run("\n" + xml_safe(line))
    if report.pseudonymised:
        document.add_paragraph(PSEUDONYMISED_NOTE).runs[0].bold = True
    if report.empty_reason:
        document.add_paragraph(report.empty_reason).runs[0].bold = True
    for theme in report.themes:
        document.add_heading(xml_safe(theme.code.name), level=1)
        if theme.code.definition:
            document.add_paragraph().add_run(xml_safe(theme.code.definition)).italic = True
        document.add_paragraph(counts_sentence(theme))
        for quote in theme.quotes:
            paragraph = document.add_paragraph(style="Quote")
            lines = xml_safe(quote_sentence(quote)).split("\n")
            run = paragraph.add_run(lines[0])
            for line in lines[1:]:
                run.add_break()
                run = paragraph.add_run(line)
            if quote.code_path:
                paragraph.add_run(f"  [{xml_safe(quote.code_path)}]").italic = True
        if not theme.quotes:
            empty = "No starred quotes yet." if report.which == QUOTES_STARRED else "No quotes."
            document.add_paragraph(empty).runs[0].italic = True
        for case, text in theme.summaries:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{xml_safe(case)}: ").bold = True
            paragraph.add_run(xml_safe(text))
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
