"""The framework page: the code tree, its editing panel, CSV import/export, the count table.

Every form is shown in the side panel (``#code-panel``). With htmx a successful change swaps the
whole ``#framework`` region (tree, panel with a notice, count table); a form with errors is
re-targeted to the panel. Without JavaScript each link opens the page with the panel filled and
each form redirects back to the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget
from django_htmx.middleware import HtmxDetails

from transcripts.models import Project
from transcripts.selectors import project_get_for_user, project_members

from ..framework_forms import CodeForm, FrameworkImportForm, MergeForm, MoveForm
from ..models import AuditEvent, Code
from ..selectors.codes import code_descendant_ids, code_get_for_user, code_list, framework_table
from ..services import codes
from ..services.codebook_csv import (
    framework_csv_text,
    framework_import_csv,
    framework_taguette_csv_text,
)
from ..services.codes import PALETTE, code_create

PAGE = "coding/framework.html"


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


CODE_ACTIONS = ("edit", "move", "reorder", "place", "merge", "delete")
SENTINEL = "987654321"


def _page_context(request: HtmxHttpRequest, project: Project) -> dict[str, Any]:
    coder = request.GET.get("coder", "")
    coder_id = int(coder) if coder.isdigit() else None
    can_write = project.membership.can_write  # type: ignore[attr-defined]
    table = framework_table(project=project, coder_id=coder_id, user=request.user)
    quotes = reverse("coding:code_quotes", args=[project.pk, SENTINEL])
    for row in table.rows:  # every member reads a code's quotes
        row.quotes_url = quotes.replace(SENTINEL, str(row.code.pk))  # type: ignore[attr-defined]
    if can_write:  # reverse each action once, not once per code (a 100-code page has 700 links)
        patterns = {
            action: reverse(f"coding:framework_code_{action}", args=[project.pk, SENTINEL])
            for action in CODE_ACTIONS
        }
        new = reverse("coding:framework_code_new", args=[project.pk])
        for row in table.rows:
            pk = str(row.code.pk)
            row.urls = {action: url.replace(SENTINEL, pk) for action, url in patterns.items()}
            row.urls["new_sub_code"] = f"{new}?parent={pk}"
    return {
        "project": project,
        "membership": project.membership,  # type: ignore[attr-defined]
        "can_write": can_write,
        "table": table,
        "members": project_members(project=project),
        "coder_id": coder_id,
        "memos_url": reverse("coding:memos", args=[project.pk]),
        # Offered once, on the page the merge returns to (see code_merge).
        "undo_merge": request.session.pop("undo_merge", None) if can_write else None,
    }


def _panel(request: HtmxHttpRequest, project: Project, panel: str, **context: Any) -> HttpResponse:
    """Show a form in the side panel (the panel alone for htmx, else the whole page)."""
    context = {"project": project, "panel": panel, **context}
    if request.htmx:
        response = render(request, f"{PAGE}#panel", context)
        if request.method == "POST":  # a form with errors: show it where it was
            response = reswap(retarget(response, "#code-panel"), "outerHTML")
        return response
    return render(request, PAGE, {**_page_context(request, project), **context})


def _done(
    request: HtmxHttpRequest, project: Project, notice: str, *, error: bool = False
) -> HttpResponse:
    if request.htmx:
        context = {**_page_context(request, project), "notice": notice, "notice_error": error}
        return render(request, f"{PAGE}#framework", context)
    (messages.error if error else messages.success)(request, notice)
    return redirect("coding:framework", project_id=project.pk)


def errors_to_form(form: Any, exc: ValidationError) -> None:
    """A service's ValidationError on the form: on its field when it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _code_or_404(project: Project, value: str | None) -> Code | None:
    if not value:
        return None
    code = Code.objects.filter(project=project, pk=value if value.isdigit() else 0).first()
    if code is None:
        raise Http404("No such code.")
    return code


@require_GET
@login_required
def framework(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id)
    context = _page_context(request, project)
    if request.htmx and request.htmx.target == "count-table":
        return render(request, f"{PAGE}#count_table", context)
    return render(request, PAGE, context)


@require_http_methods(["GET", "POST"])
@login_required
def code_new(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id, write=True)
    parent = _code_or_404(project, request.POST.get("parent") or request.GET.get("parent"))
    colour = PALETTE[Code.objects.filter(project=project).count() % len(PALETTE)]
    form = CodeForm(request.POST or None, initial={"colour": colour})
    if request.method == "POST" and form.is_valid():
        try:
            fields = {k: v for k, v in form.cleaned_data.items() if k != "seen"}
            code = code_create(project=project, user=request.user, parent=parent, **fields)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return _done(request, project, f"Added {code.name!r}.")
    return _panel(request, project, "create", form=form, parent=parent)


@require_http_methods(["GET", "POST"])
@login_required
def code_edit(request: HtmxHttpRequest, project_id: int, code_id: int) -> HttpResponse:
    code = code_get_for_user(user=request.user, project_id=project_id, code_id=code_id, write=True)
    form = CodeForm.for_code(code, request.POST or None)
    conflict: list[tuple[str, str, str]] = []
    if request.method == "POST" and form.is_valid():
        fields = {**form.cleaned_data, "key": form.cleaned_data["key"] or None}
        try:
            codes.code_update(code=code, user=request.user, **fields)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # a conflict: show both versions
                mine = form.cleaned_data
                code.refresh_from_db()
                form = CodeForm.for_code(code, data=CodeForm.for_code(code).initial)
                form.is_valid()
                conflict = _conflict_rows(form, mine)
            errors_to_form(form, exc)
        else:
            return _done(request, code.project, f"Saved {code.name!r}.")
    return _panel(request, code.project, "edit", form=form, code=code, conflict=conflict)


def _conflict_rows(form: Any, mine: dict[str, Any]) -> list[tuple[str, str, str]]:
    """``(field label, their saved value, your unsaved value)`` where the two differ."""
    rows = []
    for name, field in form.fields.items():
        if name == "seen":
            continue
        theirs, yours = form.cleaned_data.get(name), mine.get(name)
        if (theirs or "") != (yours or ""):
            rows.append((str(field.label or name), str(theirs or ""), str(yours or "")))
    return rows


@require_http_methods(["GET", "POST"])
@login_required
def code_move(request: HtmxHttpRequest, project_id: int, code_id: int) -> HttpResponse:
    code = code_get_for_user(user=request.user, project_id=project_id, code_id=code_id, write=True)
    choices = list(code_list(project=code.project))
    exclude = set(code_descendant_ids(code=code))
    form = MoveForm(request.POST or None, codes=choices, exclude=exclude)
    form.initial["parent"] = str(code.parent_id or "")
    if request.method == "POST" and form.is_valid():
        parent = _code_or_404(code.project, form.cleaned_data["parent"])
        try:
            codes.code_move(code=code, user=request.user, parent=parent)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            where = f"under {parent.name!r}" if parent else "to the top level"
            return _done(request, code.project, f"Moved {code.name!r} {where}.")
    return _panel(request, code.project, "move", form=form, code=code)


@require_POST
@login_required
def code_reorder(request: HtmxHttpRequest, project_id: int, code_id: int) -> HttpResponse:
    code = code_get_for_user(user=request.user, project_id=project_id, code_id=code_id, write=True)
    siblings = list(
        Code.objects.filter(project=code.project, parent_id=code.parent_id)
        .order_by("order", "name", "id")
        .values_list("pk", flat=True)
    )
    step = -1 if request.POST.get("direction") == "up" else 1
    position = siblings.index(code.pk) + step
    codes.code_reorder(code=code, user=request.user, position=max(position, 0))
    return _done(request, code.project, f"Moved {code.name!r} {'up' if step < 0 else 'down'}.")


@require_POST
@login_required
def code_place(request: HtmxHttpRequest, project_id: int, code_id: int) -> HttpResponse:
    """Drag and drop on the code tree: ``parent`` (empty for a theme) and ``position`` among the
    new siblings, counted without the code itself."""
    code = code_get_for_user(user=request.user, project_id=project_id, code_id=code_id, write=True)
    parent = _code_or_404(code.project, request.POST.get("parent"))
    position = request.POST.get("position", "")
    if not position.isdigit():
        return HttpResponseBadRequest("position must be a whole number from 0.")
    try:
        code = codes.code_place(code=code, user=request.user, parent=parent, position=int(position))
    except ValidationError as exc:
        return _done(request, code.project, " ".join(exc.messages), error=True)
    where = f"under {parent.name!r}" if parent else "among the themes"
    return _done(request, code.project, f"Moved {code.name!r} {where}, place {code.order + 1}.")


@require_http_methods(["GET", "POST"])
@login_required
def code_merge(request: HtmxHttpRequest, project_id: int, code_id: int) -> HttpResponse:
    code = code_get_for_user(user=request.user, project_id=project_id, code_id=code_id, write=True)
    choices = list(code_list(project=code.project))
    form = MergeForm(
        request.POST or None, codes=choices, exclude=set(code_descendant_ids(code=code))
    )
    impact = codes.code_delete_impact(code=code)
    if request.method == "POST" and form.is_valid():
        target = _code_or_404(code.project, form.cleaned_data["target"])
        assert target is not None  # the form requires a choice
        name = code.name
        try:
            result = codes.code_merge(source=code, target=target, user=request.user)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            notice = (
                f"Merged {name!r} into {result.target.name!r}: {result.codings_moved} codings "
                f"moved, {result.duplicates_dropped} duplicates dropped, "
                f"{result.sub_codes_moved + result.sub_codes_merged} sub-codes moved."
            )
            request.session["undo_merge"] = {"batch": result.batch, "name": name}
            return _done(request, code.project, notice)
    return _panel(request, code.project, "merge", form=form, code=code, impact=impact)


@require_POST
@login_required
def code_merge_undo(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    """Undo a merge: offered once, beside the notice that reported it, to whoever merged (or
    an owner)."""
    project = project_get_for_user(user=request.user, project_id=project_id, write=True)
    batch = request.POST.get("batch", "")
    merged_by = (
        AuditEvent.objects.filter(project=project, batch=batch)
        .values_list("user_id", flat=True)
        .first()
    )
    if merged_by != request.user.pk and not project.membership.is_owner:  # type: ignore[attr-defined]
        return _done(request, project, "Only who merged, or an owner, can undo it.", error=True)
    try:
        result = codes.code_merge_undo(project=project, batch=batch, user=request.user)
    except ValidationError as exc:
        return _done(request, project, " ".join(exc.messages), error=True)
    subs = result.sub_codes_moved_back
    notice = (
        f"Merge undone: {result.code.name!r} is back with {result.codings_moved_back} codings "
        f"moved back and {result.codings_restored} dropped duplicates restored"
        f"{f', and {subs} sub-codes' if subs else ''}."
        " Its pending suggestions and matrix summaries are not restored."
    )
    return _done(request, project, notice)


@require_http_methods(["GET", "POST"])
@login_required
def code_delete(request: HtmxHttpRequest, project_id: int, code_id: int) -> HttpResponse:
    code = code_get_for_user(user=request.user, project_id=project_id, code_id=code_id, write=True)
    impact = codes.code_delete_impact(code=code)
    asked = f"{impact.codings}:{impact.sub_codes}"
    if request.method == "POST" and request.POST.get("confirm") == asked:
        name = code.name
        codes.code_delete(code=code, user=request.user)
        notice = f"Deleted {name!r}"
        if impact.sub_codes or impact.codings:
            notice += f" with {impact.sub_codes} sub-codes and {impact.codings} codings"
        return _done(request, code.project, notice + ".")
    changed = "confirm" in request.POST  # the counts changed since the page asked: ask again
    return _panel(
        request, code.project, "delete", code=code, impact=impact, asked=asked, changed=changed
    )


@require_http_methods(["GET", "POST"])
@login_required
def framework_import(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id, write=True)
    form = FrameworkImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = framework_import_csv(
                project=project, user=request.user, data=upload.read(), filename=upload.name
            )
        except ValidationError as exc:
            return _panel(request, project, "import", form=form, import_errors=exc.messages)
        return _done(request, project, " ".join([result.summary(), *result.warnings]))
    return _panel(request, project, "import", form=form)


@require_GET
@login_required
def framework_export(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, project_id=project_id)
    taguette = request.GET.get("for") == "taguette"
    if taguette:
        text = framework_taguette_csv_text(project=project)
    else:
        text = framework_csv_text(project=project)
        if request.GET.get("bom") == "1":
            text = "\ufeff" + text
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    suffix = "taguette-codebook" if taguette else "framework"
    filename = f"{slugify(project.name) or 'project'}-{suffix}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
