"""Cross-case pages: co-occurrence, comparison by group / attribute / coder, Boolean retrieval."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from coding.selectors.team import AGREED, CODERS
from transcripts.http import HtmxHttpRequest
from transcripts.models import Attribute, Project
from transcripts.selectors import project_get_for_user

from ..crosscase import svg
from ..crosscase.retrieval import LIMIT, Query, turns_matching
from ..crosscase.tables import (
    LOW_COUNT,
    SPANS,
    Comparison,
    Cooccurrence,
    Selection,
    comparison,
    cooccurrence,
)
from ..exports.cells import cell_text, xlsx_typed


def _ints(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


def _selection(params: QueryDict) -> Selection:
    which = params.get("set", "")
    return Selection(
        rows="codes" if params.get("rows") == "codes" else "themes",
        coding_set=which if which in (AGREED, CODERS) else "",
        coder_ids=tuple(sorted(_ints(params.getlist("coder")))),
    )


def _carry(params: QueryDict) -> dict[str, Any]:
    """The selection's parameters, for links from a cell."""
    carried: dict[str, Any] = {}
    for name in ("rows", "set"):
        if params.get(name):
            carried[name] = params[name]
    if params.getlist("coder"):
        carried["coder"] = params.getlist("coder")
    return carried


def _download(rows: list[list[Any]], name: str, fmt: str) -> HttpResponse:
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        for row in rows:
            writer.writerow([cell_text(v) if not isinstance(v, float) else v for v in row])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    xlsx_typed(sheet.cell(row=r, column=c), value)
        out_bytes = io.BytesIO()
        workbook.save(out_bytes)
        response = HttpResponse(
            out_bytes.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise ValueError(f"No download format {fmt!r}.")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


def _cooccurrence_rows(table: Cooccurrence) -> list[list[Any]]:
    head = ["code", *[row.label for row in table.rows]]
    return [head] + [[a.label, *[table.count(a.pk, b.pk) for b in table.rows]] for a in table.rows]


def _cooccurrence_cell(
    table: Cooccurrence, a: Any, b: Any, peak: int, link: str, what: str
) -> tuple[str, str, str, str, str, str]:
    n = table.count(a.pk, b.pk)
    both = f"all={a.pk}&all={b.pk}" if a.pk != b.pk else f"all={a.pk}"
    fill, ink = svg.shade(n / peak if a.pk != b.pk else 0)
    title = f"{a.label} and {b.label}: {n} {what}{'s' if n != 1 else ''}"
    css = "diagonal" if a.pk == b.pk else ""
    return (str(n) if n else "", fill, ink, link.format(both), title, css)


def _cooccurrence_html(
    project: Project, table: Cooccurrence, carried_params: dict[str, Any]
) -> tuple[str, str]:
    """The co-occurrence table and its heatmap, as HTML and SVG."""
    retrieve = reverse("themes:crosscase_retrieve", args=[project.pk])
    carried = urlencode(carried_params, doseq=True)
    peak = table.peak or 1
    what = "overlapping coding" if table.unit == SPANS else "turn"
    cells = [
        [
            _cooccurrence_cell(table, a, b, peak, f"{retrieve}?{{}}&{carried}", what)
            for b in table.rows
        ]
        for a in table.rows
    ]
    table_html = svg.heat_table(
        table_id="cooccurrence-table",
        columns=[(row.label, "") for row in table.rows],
        rows=[(row.label, row.colour) for row in table.rows],
        cells=cells,
    )
    picture = svg.heatmap(
        title="Codings that overlap (co-occurrence)"
        if table.unit == SPANS
        else "Codes on the same speaker turn (co-occurrence)",
        rows=[r.label for r in table.rows],
        columns=[r.label for r in table.rows],
        values=[
            [table.count(a.pk, b.pk) / peak if a.pk != b.pk else 0 for b in table.rows]
            for a in table.rows
        ],  # fmt: skip
        labels=[[str(table.count(a.pk, b.pk) or "") for b in table.rows] for a in table.rows],
    )
    return table_html, picture


@require_GET
@login_required
def cooccurrence_page(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id)
    selection = _selection(request.GET)
    table = cooccurrence(project, selection, request.user, unit=request.GET.get("unit", ""))
    name = f"cooccurrence-{slugify(project.name) or project.pk}-{table.unit}"
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        return _download(_cooccurrence_rows(table), name, fmt)
    carried = _carry(request.GET)
    if table.unit == SPANS:
        carried["overlap"] = "1"
    table_html, picture = _cooccurrence_html(project, table, carried)
    context = {
        "project": project,
        "table": table,
        "table_html": mark_safe(table_html),  # built from escaped parts in crosscase/svg.py
        "picture": mark_safe(picture),
        **_form_context(project, request.GET),
    }
    return render(request, "themes/crosscase/cooccurrence.html", context)


def _form_context(project: Project, params: QueryDict) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from coding.models import Coding

    coder_ids = set(
        Coding.objects.filter(transcript__project=project)
        .order_by()
        .values_list("coder_id", flat=True)
        .distinct()
    )
    return {
        "rows": "codes" if params.get("rows") == "codes" else "themes",
        "coding_set": params.get("set", ""),
        "coders": list(get_user_model().objects.filter(pk__in=coder_ids).order_by("username")),
        "chosen_coders": set(_ints(params.getlist("coder"))),
        "query": params.urlencode(),
        "attributes": list(Attribute.objects.filter(project=project)),
    }


def _comparison_rows(table: Comparison) -> list[list[Any]]:
    head = ["code"]
    for column in table.columns:
        head += [f"{column.label}: {table.measure}", f"{column.label}: share of turns"]
    rows = [head]
    for row in table.rows:
        line: list[Any] = [row.label]
        for column in table.columns:
            line += [table.count(row.pk, column.key), round(table.share(row.pk, column), 4)]
        rows.append(line)
    return rows


def _quotes_params(table: Comparison, carried: dict) -> tuple[str, str]:
    """The query string a cell's link to its quotes carries, and the name of the parameter
    its column adds (the column's key is its value)."""
    params: dict[str, Any] = {}
    if carried.get("set") == AGREED:
        params["set"] = AGREED
    if carried.get("coder") and table.by != "coder":
        params["coder"] = carried["coder"]
    name = {"group": "transcript", "coder": "coder"}.get(table.by, "")
    if not name and table.attribute is not None:
        name = f"attr-{table.attribute.pk}"
    return urlencode(params, doseq=True), name


def _groups_chart(table: Comparison) -> str:
    """How many groups raised each row: the columns with at least one passage."""
    items = [
        (r.label, sum(1 for c in table.columns if table.coded.get((r.pk, c.key))))
        for r in table.rows
    ]
    items.sort(key=lambda item: -item[1])
    return mark_safe(
        svg.bars(
            title="Themes by the number of groups that raised them",
            items=items,
            total=len(table.columns),
            unit="groups",
        )
    )


def _compare_cell(
    table: Comparison, row: Any, column: Any, share: float, count: int, link: str, peak: float
) -> tuple[str, str, str, str, str, str]:
    fill, ink = svg.shade(share / peak)
    text = ""
    if count:
        mark = "†" if table.low(row.pk, column.key) else ""
        text = f'{count}{mark}<br><span class="small">{round(share * 100)}%</span>'
    title = f"{row.label} in {column.label}: {round(share * 100)}% of its participant turns"
    return (text, fill, ink, link, title, "")


def _grid(table: Comparison) -> tuple[list[list[float]], list[list[int]], float]:
    shares = [[table.share(r.pk, c) for c in table.columns] for r in table.rows]
    counts = [[table.count(r.pk, c.key) for c in table.columns] for r in table.rows]
    peak = max((value for line in shares for value in line), default=0.0) or 1.0
    return shares, counts, peak


def _compare_html(
    project: Project, table: Comparison, kind: str, carried: dict[str, Any]
) -> tuple[str, str, Any]:
    """The comparison's table, heatmap and (by group) bar chart, as HTML and SVG."""
    fixed, column_param = _quotes_params(table, carried)
    shares, counts, peak = _grid(table)
    prefix = reverse("coding:code_quotes", args=[project.pk, 0]).removesuffix("0/quotes/")
    if table.by == "group_attribute":
        from transcripts.models import GroupAttributeValue

        by_value: dict[str, list[int]] = {}
        for transcript_id, value in GroupAttributeValue.objects.filter(
            attribute=table.attribute
        ).values_list("transcript_id", "value"):
            by_value.setdefault(value, []).append(transcript_id)
        column_query = [
            urlencode({"transcript": sorted(by_value.get(c.key, []))}, doseq=True)
            for c in table.columns
        ]
    else:
        column_query = [urlencode({column_param: c.key}) for c in table.columns]
    tail = f"&{fixed}" if fixed else ""
    cells = [
        [
            _compare_cell(
                table, row, column, share, count, f"{prefix}{row.pk}/quotes/?{query}{tail}", peak
            )
            for column, query, share, count in zip(
                table.columns, column_query, row_shares, row_counts, strict=True
            )
        ]
        for row, row_shares, row_counts in zip(table.rows, shares, counts, strict=True)
    ]
    table_html = svg.heat_table(
        table_id="compare-table",
        columns=[(c.label, f"{c.turns} turns") for c in table.columns],
        rows=[(r.label, r.colour) for r in table.rows],
        cells=cells,
    )
    picture = svg.heatmap(
        title=f"Share of each column's participant turns with the code ({table.measure} in cells)",
        rows=[r.label for r in table.rows],
        columns=[c.label for c in table.columns],
        values=[[share / peak for share in line] for line in shares],
        labels=[[str(count or "") for count in line] for line in counts],
    )
    groups = _groups_chart(table) if kind == "group" else None
    return table_html, picture, groups


@require_GET
@login_required
def compare_page(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id)
    selection = _selection(request.GET)
    by = request.GET.get("by", "group")
    attribute: Any = None
    kind = by if by in ("group", "coder") else "group"
    if by.startswith("attribute:") and by[10:].isdigit():
        attribute = Attribute.objects.filter(project=project, pk=int(by[10:])).first()
        kind = "attribute" if attribute is not None else "group"
    elif by.startswith("gattr:") and by[6:].isdigit():
        from transcripts.models import GroupAttribute

        attribute = GroupAttribute.objects.filter(project=project, pk=int(by[6:])).first()
        kind = "group_attribute" if attribute is not None else "group"
    measure = request.GET.get("measure", "passages")
    table = comparison(project, selection, request.user, by=kind, attribute=attribute,
                       measure=measure)  # fmt: skip
    name = f"compare-{slugify(project.name) or project.pk}-{kind}"
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        return _download(_comparison_rows(table), name, fmt)
    table_html, picture, groups = _compare_html(project, table, kind, _carry(request.GET))
    context = {
        "project": project,
        "table": table,
        "table_html": mark_safe(table_html),
        "by": by,
        "measure": table.measure,
        "low_count": LOW_COUNT,
        "picture": mark_safe(picture),
        "groups_picture": groups,
        "group_attributes": list(project.group_attributes.all()),
        **_form_context(project, request.GET),
    }
    return render(request, "themes/crosscase/compare.html", context)


@require_GET
@login_required
def retrieve_page(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id)
    selection = _selection(request.GET)
    within = request.GET.get("within", "1")
    near = request.GET.get("near", "")
    query = Query(
        all_of=_ints(request.GET.getlist("all")),
        any_of=_ints(request.GET.getlist("any")),
        none_of=_ints(request.GET.getlist("none")),
        near=int(near) if near.isdigit() else None,
        within=min(int(within), 50) if within.isdigit() else 1,
        overlap=request.GET.get("overlap") == "1",
    )
    total, turns, found = turns_matching(project, selection, request.user, query)
    from ..crosscase.tables import row_codes

    rows, _mapping = row_codes(project, selection.rows)
    labels = {row.pk: row for row in rows}
    results = [
        {
            "turn": turn,
            "text": turn.transcript.text[turn.start : turn.end],
            "rows": [
                labels[r]
                for r in sorted(found.get(turn.pk, ()), key=lambda r: labels[r].label)
                if r in labels
            ],
        }
        for turn in turns
    ]
    context = {
        "project": project,
        "query_obj": query,
        "total": total,
        "results": results,
        "limit": LIMIT,
        "row_list": rows,
        **_form_context(project, request.GET),
    }
    return render(request, "themes/crosscase/retrieve.html", context)


@require_GET
@login_required
def progress_panel(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    """Coverage and progress on the project page (loaded into its "project.sections" slot)."""
    from ..crosscase.coverage import coverage

    project = project_get_for_user(user=request.user, project_id=project_id)
    table = coverage(project, request.user)

    def bar(share: float, what: str) -> str:
        return mark_safe(svg.meter(share, f"{round(share * 100)}% of {what} coded"))

    context = {
        "project": project,
        "coverage": table,
        "overall_bar": bar(table.share, "participant turns"),
        "transcripts": [
            (row, bar(row.share, "its participant turns")) for row in table.transcripts
        ],
        "coders": [(row, bar(row.share, "the turns in scope")) for row in table.coders],
    }
    return render(request, "themes/crosscase/_progress.html", context)
