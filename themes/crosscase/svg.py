"""Server-rendered SVG pictures: a heatmap and a horizontal bar chart. A single-hue sequential
palette (ColorBrewer "Blues"), readable by colour-blind readers and in greyscale; every cell's
number is written in it, and every picture sits beside the table it came from."""

from __future__ import annotations

from html import escape

BLUES = [
    "#f7fbff",
    "#deebf7",
    "#c6dbef",
    "#9ecae1",
    "#6baed6",
    "#4292c6",
    "#2171b5",
    "#08519c",
    "#08306b",
]


def shade(value: float) -> tuple[str, str]:
    """Fill and text colour for a value from 0 to 1."""
    step = min(len(BLUES) - 1, max(0, round(value * (len(BLUES) - 1))))
    return BLUES[step], "#ffffff" if step >= 5 else "#1b1b1b"


def _cut(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def heatmap(
    *,
    title: str,
    rows: list[str],
    columns: list[str],
    values: list[list[float]],
    labels: list[list[str]],
    cell: int = 34,
) -> str:
    """``values`` (0 to 1) colour the cells; ``labels`` are written in them."""
    left, top = 190, 120
    dense = len(rows) * len(columns) > 2500  # the table beside it holds the numbers
    if dense:
        cell = 8
    width, height = left + cell * len(columns) + 10, top + cell * len(rows) + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        'font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for j, column in enumerate(columns):
        if dense and len(columns) > 60:
            break  # too many to label: the table names them
        x = left + j * cell + cell / 2
        out.append(
            f'<text x="{x:.1f}" y="{top - 6}" transform="rotate(-50 {x:.1f} {top - 6})">'
            f"{escape(_cut(column, 22))}</text>"
        )
    for i, row in enumerate(rows):
        y = top + i * cell
        if not dense or cell >= 10:
            out.append(
                f'<text x="{left - 6}" y="{y + cell / 2 + 4:.1f}" text-anchor="end">'
                f"{escape(_cut(row, 30))}</text>"
            )
        for j, column in enumerate(columns):
            fill, ink = shade(values[i][j])
            x = left + j * cell
            if dense:
                out.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{fill}"/>')
                continue
            out.append(
                f'<rect x="{x}" y="{y}" width="{cell - 1}" height="{cell - 1}" fill="{fill}">'
                f"<title>{escape(row)} × {escape(column)}: {escape(labels[i][j])}</title></rect>"
            )
            if labels[i][j]:
                out.append(
                    f'<text x="{x + cell / 2:.1f}" y="{y + cell / 2 + 4:.1f}" '
                    f'text-anchor="middle" fill="{ink}">{escape(labels[i][j])}</text>'
                )
    out.append("</svg>")
    return "".join(out)


def bars(*, title: str, items: list[tuple[str, int]], total: int, unit: str) -> str:
    """Horizontal bars, one per item, out of ``total`` (e.g. themes by groups raising them)."""
    left, row, scale = 190, 22, 320
    height = row * len(items) + 30
    width = left + scale + 80
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        'font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(items):
        y = 10 + i * row
        length = scale * value / total if total else 0
        out.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{escape(_cut(label, 30))}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="{row - 6}" '
            f'fill="{BLUES[6]}"><title>{escape(label)}: {value} of {total} {unit}</title></rect>'
            f'<text x="{left + length + 4:.1f}" y="{y + 14}">{value} of {total}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def heat_table(
    *,
    table_id: str,
    columns: list[tuple[str, str]],
    rows: list[tuple[str, str]],
    cells: list[list[tuple[str, str, str, str, str, str]]],
) -> str:
    """The table beside a heatmap, built here rather than in a template: 20,000 cells of a
    200-group comparison are too many for the template engine. ``columns`` are ``(label, note)``,
    ``rows`` ``(label, colour)``, each cell ``(html text, fill, ink, link, title, class)``; the
    text is already escaped by the caller, everything else is escaped here."""
    out = [
        f'<table class="table heat-table" id="{escape(table_id)}"><thead><tr>'
        '<th scope="col">Code</th>'
    ]
    for label, note in columns:
        extra = f' <span class="muted small">{escape(note)}</span>' if note else ""
        out.append(f'<th scope="col" class="rotate"><span>{escape(label)}</span>{extra}</th>')
    out.append("</tr></thead><tbody>")
    for (label, colour), line in zip(rows, cells, strict=True):
        out.append(
            f'<tr><th scope="row"><span class="swatch" style="background:{escape(colour)}">'
            f"</span>{escape(label)}</th>"
        )
        for text, fill, ink, link, title, css in line:
            inner = (
                f'<a href="{escape(link)}" style="color:inherit" title="{escape(title)}">{text}</a>'
                if text
                else ""
            )
            out.append(f'<td class="heat {css}" style="background:{fill};color:{ink}">{inner}</td>')
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def meter(share: float, label: str, width: int = 90) -> str:
    """A small progress bar for a share from 0 to 1, named for screen readers."""
    share = min(max(share, 0.0), 1.0)
    return (
        f'<svg class="meter" viewBox="0 0 {width} 10" width="{width}" height="10" role="img" '
        f'aria-label="{escape(label)}"><title>{escape(label)}</title>'
        f'<rect width="{width}" height="10" fill="{BLUES[1]}"/>'
        f'<rect width="{width * share:.1f}" height="10" fill="{BLUES[6]}"/></svg>'
    )
