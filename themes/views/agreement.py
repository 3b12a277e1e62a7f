"""The agreement page: alpha, kappa and percent agreement per code, with intervals."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from coding.models import Assignment, Coding
from coding.selectors.team import blind_scope
from transcripts.http import HtmxHttpRequest
from transcripts.models import Transcript
from transcripts.selectors import project_get_for_user

from ..agreement.measure import UNIT_LABELS, UNITS, AgreementError, agreement_measure, code_paths
from ..agreement.tables import RELIABLE, TENTATIVE, agreement_csv, agreement_xlsx, reading


def _ids(values: list[str]) -> set[int]:
    return {int(v) for v in values if v.isdigit()}


def _choices(project: Any) -> dict[str, Any]:
    coder_ids = set(
        Assignment.objects.filter(transcript__project=project).values_list("coder_id", flat=True)
    ) | set(
        Coding.objects.filter(transcript__project=project)
        .order_by()
        .values_list("coder_id", flat=True)
        .distinct()
    )
    return {
        "coders": list(get_user_model().objects.filter(pk__in=coder_ids).order_by("username")),
        "codes": sorted(code_paths(project=project).items(), key=lambda item: item[1]),
        "transcripts": list(Transcript.objects.filter(project=project).only("id", "name")),
    }


def _bar(value: float | None) -> float:
    """Where a value sits on the bar, in percent of its width (alpha below 0 sits at 0)."""
    return 0.0 if value is None else round(max(0.0, min(1.0, value)) * 100, 1)


def _download(fmt: str, result: Any, project: Any) -> HttpResponse | None:
    filename = f"agreement-{slugify(project.name) or project.pk}-{result.unit}"
    if fmt == "csv":
        response = HttpResponse(agreement_csv(result), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            agreement_xlsx(result),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        return None
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


def _rows(result: Any) -> list[dict[str, Any]]:
    return [
        {
            "label": label,
            "figure": fig,
            "used_by": used_by,
            "reading": reading(fig.alpha),
            "at": _bar(fig.alpha),
            "low": _bar(fig.ci[0]) if fig.ci else None,
            "span": round(_bar(fig.ci[1]) - _bar(fig.ci[0]), 1) if fig.ci else None,
        }
        for label, fig, used_by in [
            ("All codes", result.overall, len(result.coders)),
            *((row.path, row.figure, row.used_by) for row in result.codes),
        ]
    ]


def _names(choices: dict[str, Any], chosen: dict[str, set[int]]) -> dict[str, list[str] | None]:
    paths = dict(choices["codes"])
    return {
        "coder_names": [u.get_username() for u in choices["coders"] if u.pk in chosen["coders"]]
        or None,
        "code_names": [paths[pk] for pk in chosen["codes"] if pk in paths] or None,
        "transcript_names": [
            t.name for t in choices["transcripts"] if t.pk in chosen["transcripts"]
        ]
        or None,
    }


@require_GET
@login_required
def agreement(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id)
    whole, blind_ids = blind_scope(project=project)
    if (whole or blind_ids) and not project.membership.is_owner:
        # Figures per code would tell a blind coder how the others coded.
        raise PermissionDenied("Agreement is for owners while coding is blind.")
    choices = _choices(project)
    unit = request.GET.get("unit", "turn")
    unit = unit if unit in UNITS else "turn"
    chosen = {
        "coders": _ids(request.GET.getlist("coder")),
        "codes": _ids(request.GET.getlist("code")),
        "transcripts": _ids(request.GET.getlist("transcript")),
    }
    context: dict[str, Any] = {
        "project": project,
        "unit": unit,
        "units": [(u, UNIT_LABELS[u]) for u in UNITS],
        "chosen": chosen,
        "reliable": RELIABLE,
        "tentative": TENTATIVE,
        **choices,
    }
    try:
        result = agreement_measure(project=project, unit=unit, **_names(choices, chosen))  # type: ignore[arg-type]
    except AgreementError as error:
        context["error"] = str(error)
        return render(request, "themes/agreement.html", context, status=200)
    download = _download(request.GET.get("format", ""), result, project)
    if download is not None:
        return download
    context["result"] = result
    context["rows"] = _rows(result)
    context["query"] = request.GET.urlencode()
    return render(request, "themes/agreement.html", context)
