"""The report: for each theme in framework order, its definition, how many quotes and groups
it has, and the quotes the analyst starred, each attributed to its group or participant type.
Written as DOCX (python-docx) or as a standalone HTML page."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC as datetime_utc
from typing import IO, Any

from django.template.loader import render_to_string
from django.utils import timezone

from coding.models import Code
from transcripts.models import Attribute, Project

from .cells import xml_safe
from .charts import ReportCharts, report_charts
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
    charts: ReportCharts | None = None

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
    charts: bool = False,
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
    pictures = None
    if charts:
        pictures = report_charts(
            project=project,
            filters=filters,
            themes=[theme.code for theme in themes.values()],
            groups={pk: theme.groups for pk, theme in themes.items()},
        )
    return Report(
        project=project,
        themes=list(themes.values()),
        filters=filters.describe(),
        pseudonymised=index.pseudonymised,
        created_at=timezone.localtime(),
        author=author,
        which=which,
        charts=pictures,
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
    if report.charts is not None:
        _charts_docx(document, report.charts)
    body = _Body(document)
    for theme in report.themes:
        document.add_heading(xml_safe(theme.code.name), level=1)
        if theme.code.definition:
            body.paragraph().add_run(xml_safe(theme.code.definition)).italic = True
        body.paragraph(counts_sentence(theme))
        for quote in theme.quotes:
            paragraph = body.paragraph(style="Quote")
            lines = xml_safe(quote_sentence(quote)).split("\n")
            run = paragraph.add_run(lines[0])
            for line in lines[1:]:
                run.add_break()
                run = paragraph.add_run(line)
            if quote.code_path:
                paragraph.add_run(f"  [{xml_safe(quote.code_path)}]").italic = True
        if not theme.quotes:
            empty = "No starred quotes yet." if report.which == QUOTES_STARRED else "No quotes."
            body.paragraph().add_run(empty).italic = True
        for case, text in theme.summaries:
            paragraph = body.paragraph()
            paragraph.add_run(f"{xml_safe(case)}: ").bold = True
            paragraph.add_run(xml_safe(text))
    document.save(out)


class _Body:
    """Adds paragraphs in constant time. python-docx's ``add_paragraph`` looks for the section
    properties among all of the body's children and resolves its style by name every time:
    quadratic, 27 s for a report of 20,000 quotes."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self.end = document.element.body.sectPr
        self.style_ids: dict[str, str] = {}

    def paragraph(self, text: str = "", style: str | None = None) -> Any:
        from docx.oxml import OxmlElement
        from docx.text.paragraph import Paragraph

        element = OxmlElement("w:p")
        if self.end is not None:
            self.end.addprevious(element)
        else:
            self.document.element.body.append(element)
        if style is not None:
            if style not in self.style_ids:
                self.style_ids[style] = self.document.styles[style].style_id
            element.style = self.style_ids[style]
        paragraph = Paragraph(element, self.document._body)
        if text:
            paragraph.add_run(text)
        return paragraph


def _charts_docx(document: Any, charts: ReportCharts) -> None:
    """The two pictures, each with alt text and followed by the table it was drawn from."""
    from docx.shared import Inches

    from .charts import BARS_TITLE, HEATMAP_TITLE, TABLE_COLUMNS_MAX, bars_png, heatmap_png

    def picture(png: bytes, title: str, alt: str) -> None:
        shape = document.add_picture(io.BytesIO(png), width=Inches(6.3))
        shape._inline.docPr.set("title", title)
        shape._inline.docPr.set("descr", alt)

    document.add_heading("Across the groups", level=1)
    picture(bars_png(charts), BARS_TITLE, charts.bars_alt)
    table = document.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Theme", "Groups raising it"
    for name, count in charts.bars:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = xml_safe(name), f"{count} of {charts.groups_total}"
    if not charts.rows or not charts.columns:
        return
    document.add_paragraph()
    picture(heatmap_png(charts), HEATMAP_TITLE, charts.heatmap_alt)
    if not charts.table_fits:
        document.add_paragraph(
            f"The table behind this heatmap has {len(charts.columns)} groups, more than "
            f"{TABLE_COLUMNS_MAX} fit on a page: download it as XLSX from the Compare page."
        ).runs[0].italic = True
        return
    grid = document.add_table(rows=1, cols=len(charts.columns) + 1)
    grid.style = "Table Grid"
    head = grid.rows[0].cells
    head[0].text = "Theme: turns (share of the group's participant turns)"
    for c, column in enumerate(charts.columns, start=1):
        head[c].text = xml_safe(column)
    for r, row in enumerate(charts.rows):
        cells = grid.add_row().cells
        cells[0].text = xml_safe(row)
        for c in range(len(charts.columns)):
            cells[c + 1].text = charts.share_text(r, c)


def counts_sentence(theme: ReportTheme) -> str:
    quotes = "quote" if theme.quote_count == 1 else "quotes"
    groups = "group" if theme.group_count == 1 else "groups"
    return f"{theme.quote_count} {quotes} from {theme.group_count} {groups}."


def report_html(report: Report) -> str:
    from django.utils.safestring import mark_safe

    from .charts import bars_svg, heatmap_svg

    pictures = None
    if report.charts is not None:
        charts = report.charts
        pictures = {
            "charts": charts,
            "bars": mark_safe(bars_svg(charts)),  # built from escaped parts (crosscase/svg.py)
            "heatmap": mark_safe(heatmap_svg(charts)) if charts.rows and charts.columns else "",
            "grid": [
                (row, [charts.share_text(r, c) for c in range(len(charts.columns))])
                for r, row in enumerate(charts.rows)
            ],
        }
    return render_to_string(
        "themes/exports/report.html",
        {
            "report": report,
            "pictures": pictures,
            "themes": [
                {"theme": theme, "counts": counts_sentence(theme), "quotes": theme.starred}
                for theme in report.themes
            ],
        },
    )
