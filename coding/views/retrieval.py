"""Retrieval: the quotes coded with a code or a theme (with its sub-codes)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from transcripts.http import HtmxHttpRequest
from transcripts.selectors import project_get_for_user

from ..models import Code
from ..selectors import retrieval
from ..selectors.codes import code_path, code_tree_flat
from ..selectors.screen import project_member_list


@require_GET
@login_required
def code_quotes(request: HtmxHttpRequest, project_id: int, code_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id)
    code = get_object_or_404(Code, project=project, pk=code_id)
    filters = retrieval.quote_filters_parse(params=request.GET, project=project)
    codings = retrieval.quote_queryset(
        project=project, code=code, filters=filters, user=request.user
    )
    page, quotes = retrieval.quote_page(codings=codings, page_number=request.GET.get("page"))
    nodes = code_tree_flat(project=project)
    by_id = {node.code.pk: node.code for node in nodes}
    context = {
        "project": project,
        "membership": project.membership,
        "code": code,
        "code_path": code_path(code=code, by_id=by_id),
        "code_paths": {pk: code_path(code=c, by_id=by_id) for pk, c in by_id.items()},
        "code_nodes": nodes,
        "filters": filters,
        "page": page,
        "quotes": quotes,
        "counts": retrieval.quote_counts_by_transcript(codings=codings),
        "members": project_member_list(project=project),
        **retrieval.quote_filter_choices(project=project),
    }
    if request.htmx:
        return render(request, "coding/code_quotes.html#results", context)
    return render(request, "coding/code_quotes.html", context)
