"""The agreement table as rows for CSV and XLSX, and how a figure reads against the
conventional thresholds (Krippendorff 2004: rely on alpha >= 0.800, draw tentative conclusions
from 0.667 to 0.800, and discard data below 0.667)."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook

from themes.exports.cells import cell_text, xlsx_typed

from .measure import UNIT_LABELS, Agreement
from .stats import Figure

RELIABLE = 0.8
TENTATIVE = 0.667
HEADER = [
    "code",
    "alpha",
    "alpha 95% CI low",
    "alpha 95% CI high",
    "reading",
    "Cohen's kappa",
    "percent agreement",
    "units",
    "pairable values",
    "coders who used it",
    "note",
]


def reading(alpha: float | None) -> str:
    if alpha is None:
        return "undefined"
    if alpha >= RELIABLE:
        return "reliable"
    if alpha >= TENTATIVE:
        return "tentative"
    return "unreliable"


def _row(label: str, fig: Figure, used_by: int | str) -> list[Any]:
    def num(value: float | None) -> Any:
        return None if value is None else round(value, 4)

    return [
        label,
        num(fig.alpha),
        num(fig.ci[0]) if fig.ci else None,
        num(fig.ci[1]) if fig.ci else None,
        reading(fig.alpha),
        num(fig.kappa),
        num(fig.agreement),
        fig.units,
        fig.values,
        used_by,
        fig.reason,
    ]


def agreement_rows(result: Agreement) -> list[list[Any]]:
    rows = [_row("(all codes: each unit's set of codes)", result.overall, len(result.coders))]
    rows += [_row(row.path, row.figure, row.used_by) for row in result.codes]
    return rows


def _preamble(result: Agreement) -> list[list[Any]]:
    return [
        ["unit", UNIT_LABELS[result.unit]],
        ["coders", ", ".join(c.get_username() for c in result.coders)],
        ["transcripts", ", ".join(t.name for t in result.transcripts)],
        ["bootstrap replicates", result.replicates],
        [],
    ]


def agreement_csv(result: Agreement) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in [*_preamble(result), HEADER, *agreement_rows(result)]:
        writer.writerow(
            ["" if v is None else cell_text(v) if not isinstance(v, float) else v for v in row]
        )
    return out.getvalue()


def agreement_xlsx(result: Agreement) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Agreement"
    for r, row in enumerate([*_preamble(result), HEADER, *agreement_rows(result)], start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                xlsx_typed(sheet.cell(row=r, column=c), value)
    sheet.column_dimensions["A"].width = 48
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
