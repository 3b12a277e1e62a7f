"""The report's two pictures, each with the table it came from:

- a bar chart of themes by how many groups raised them (from the report's own, filtered
  quotes), and
- the comparison heatmap: themes x groups, shaded by the share of each group's participant
  turns that carry the theme, with the number of such turns in each cell (the Compare page's
  table, themes/crosscase/tables.py, computed by the database).

The HTML report embeds server-rendered SVG (themes/crosscase/svg.py); the DOCX gets PNG
images drawn with matplotlib (Word cannot show SVG everywhere), in the same sequential
ColorBrewer "Blues" palette, with alt text.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from transcripts.models import Project

from ..crosscase import svg
from ..crosscase.tables import Selection, comparison
from .records import ExportFilters

BARS_TITLE = "Themes by the number of groups that raised them"
HEATMAP_TITLE = "Themes by group: share of each group's participant turns with the theme"
TABLE_COLUMNS_MAX = 12  # wider tables than this go to the Compare page's XLSX, not the DOCX


@dataclass
class ReportCharts:
    groups_total: int
    bars: list[tuple[str, int]]  # (theme, groups that raised it), most first
    rows: list[str] = field(default_factory=list)  # the heatmap's themes
    columns: list[str] = field(default_factory=list)  # its groups
    shares: list[list[float]] = field(default_factory=list)
    counts: list[list[int]] = field(default_factory=list)

    @property
    def bars_alt(self) -> str:
        listed = "; ".join(f"{name}: {n} of {self.groups_total}" for name, n in self.bars)
        return f"{BARS_TITLE}. {listed}."

    @property
    def heatmap_alt(self) -> str:
        if not self.rows or not self.columns:
            return HEATMAP_TITLE
        peak = max(
            ((s, r, c) for r, line in enumerate(self.shares) for c, s in enumerate(line)),
            default=(0.0, 0, 0),
        )
        share, r, c = peak
        return (
            f"{HEATMAP_TITLE}, {len(self.rows)} themes by {len(self.columns)} groups; darker is a "
            f"larger share. The largest is {self.rows[r]} in {self.columns[c]}: "
            f"{round(share * 100)}% of its participant turns ({self.counts[r][c]} turns)."
        )

    @property
    def table_fits(self) -> bool:
        return len(self.columns) <= TABLE_COLUMNS_MAX

    def share_text(self, r: int, c: int) -> str:
        n = self.counts[r][c]
        return f"{n} ({round(self.shares[r][c] * 100)}%)" if n else "–"


def report_charts(
    *, project: Project, filters: ExportFilters, themes: list[Any], groups: dict[int, set[int]]
) -> ReportCharts:
    """``themes`` are the report's themes (codes), ``groups`` their groups with quotes."""
    from transcripts.models import Transcript

    chosen = {t.pk for t in filters.transcripts}
    in_scope = [
        t
        for t in Transcript.objects.filter(project=project).only("id", "name", "order")
        if not chosen or t.pk in chosen
    ]
    bars = sorted(
        ((theme.name, len(groups.get(theme.pk, ()))) for theme in themes), key=lambda b: -b[1]
    )
    charts = ReportCharts(groups_total=len(in_scope), bars=bars)
    selection = Selection(
        rows="themes",
        coding_set=filters.coding_set,
        coder_ids=tuple(sorted(user.pk for user in filters.coders)),
    )
    table = comparison(project, selection, filters.viewer, by="group", measure="passages")
    columns = [c for c in table.columns if not chosen or int(c.key) in chosen]
    wanted = {theme.pk for theme in themes}
    rows = [row for row in table.rows if row.pk in wanted]
    charts.rows = [row.label for row in rows]
    charts.columns = [c.label for c in columns]
    charts.shares = [[table.share(row.pk, c) for c in columns] for row in rows]
    charts.counts = [[table.coded.get((row.pk, c.key), 0) for c in columns] for row in rows]
    return charts


def _relative(charts: ReportCharts) -> list[list[float]]:
    peak = max((s for line in charts.shares for s in line), default=0.0) or 1.0
    return [[s / peak for s in line] for line in charts.shares]


def bars_svg(charts: ReportCharts) -> str:
    return svg.bars(title=BARS_TITLE, items=charts.bars, total=charts.groups_total, unit="groups")


def heatmap_svg(charts: ReportCharts) -> str:
    return svg.heatmap(
        title=HEATMAP_TITLE,
        rows=charts.rows,
        columns=charts.columns,
        values=_relative(charts),
        labels=[[str(n or "") for n in line] for line in charts.counts],
    )


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # no display: images only
    from matplotlib import pyplot

    return pyplot


def bars_png(charts: ReportCharts) -> bytes:
    plt = _pyplot()
    height = max(1.6, 0.32 * len(charts.bars) + 0.8)
    figure, axes = plt.subplots(figsize=(6.5, height), dpi=150)
    try:
        names = [name for name, _n in charts.bars][::-1]
        values = [n for _name, n in charts.bars][::-1]
        axes.barh(names, values, color=svg.BLUES[6])
        axes.set_xlim(0, max(charts.groups_total, 1))
        axes.set_xlabel(f"Groups raising the theme (of {charts.groups_total})")
        for y, value in enumerate(values):
            axes.text(value + 0.05, y, str(value), va="center", fontsize=8)
        axes.spines[["top", "right"]].set_visible(False)
        axes.xaxis.get_major_locator().set_params(integer=True)
        figure.tight_layout()
        return _png(figure)
    finally:
        plt.close(figure)


def heatmap_png(charts: ReportCharts) -> bytes:
    from matplotlib.colors import ListedColormap

    plt = _pyplot()
    rows, columns = len(charts.rows), len(charts.columns)
    width = min(16.0, max(4.0, 2.2 + 0.45 * columns))
    height = min(16.0, max(2.0, 1.6 + 0.35 * rows))
    figure, axes = plt.subplots(figsize=(width, height), dpi=150)
    try:
        palette = ListedColormap(svg.BLUES)
        relative = _relative(charts)
        axes.imshow(relative, cmap=palette, vmin=0, vmax=1, aspect="auto")
        axes.set_yticks(range(rows), [_cut(r, 30) for r in charts.rows], fontsize=8)
        if columns <= 60:
            axes.set_xticks(range(columns), [_cut(c, 22) for c in charts.columns], fontsize=8)
            plt.setp(axes.get_xticklabels(), rotation=50, ha="right")
        else:
            axes.set_xticks([])
            axes.set_xlabel(f"{columns} groups")
        if rows * columns <= 400:
            for r in range(rows):
                for c in range(columns):
                    if charts.counts[r][c]:
                        _fill, ink = svg.shade(relative[r][c])
                        axes.text(c, r, str(charts.counts[r][c]), ha="center", va="center",
                                  fontsize=7, color=ink)  # fmt: skip
        axes.set_title("Darker: a larger share of the group's participant turns", fontsize=9)
        figure.tight_layout()
        return _png(figure)
    finally:
        plt.close(figure)


def _png(figure: Any) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def _cut(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"
