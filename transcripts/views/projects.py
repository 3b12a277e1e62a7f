from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import selectors
from ..forms import MembershipForm, ProjectForm
from ..http import HtmxHttpRequest
from ..services import projects


@require_GET
@login_required
def project_list(request: HtmxHttpRequest) -> HttpResponse:
    projects = selectors.project_list_for_user(user=request.user)
    return render(request, "transcripts/project_list.html", {"projects": projects})


@require_http_methods(["GET", "POST"])
@login_required
def project_create(request: HtmxHttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = projects.project_create(
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            user=request.user,
        )
        messages.success(request, f"Project {project.name!r} created.")
        return redirect("transcripts:project_detail", project_id=project.pk)
    return render(request, "transcripts/project_create.html", {"form": form})


@require_GET
@login_required
def project_detail(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, project_id=project_id)
    context = {
        "project": project,
        "membership": project.membership,
        "transcripts": project.transcripts.defer("text").annotate(turn_count=Count("turns")),
        "jobs": project.jobs.select_related("created_by")[:5],
    }
    return render(request, "transcripts/project_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def project_members(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, project_id=project_id)
    form = MembershipForm(request.POST or None)
    if request.method == "POST":
        selectors.membership_get(user=request.user, project_id=project_id, owner=True)
        if form.is_valid():
            try:
                membership = projects.membership_set(
                    project=project, by=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"{membership.user} is now {membership.role}.")
                return redirect("transcripts:project_members", project_id=project.pk)
    context = {
        "project": project,
        "membership": project.membership,
        "members": selectors.project_members(project=project),
        "form": form,
    }
    return render(request, "transcripts/project_members.html", context)


@require_POST
@login_required
def member_remove(request: HtmxHttpRequest, project_id: int, member_id: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, project_id=project_id, owner=True)
    member = project.memberships.select_related("user").filter(pk=member_id).first()
    if member is None:
        raise Http404("No such member.")
    try:
        projects.membership_remove(membership=member, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{member.user} is no longer a member of {project.name}.")
    return redirect("transcripts:project_members", project_id=project.pk)


@require_POST
@login_required
def project_delete(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, project_id=project_id, owner=True)
    try:
        projects.project_delete(project=project, confirm_name=request.POST.get("confirm_name", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("transcripts:project_members", project_id=project.pk)
    messages.success(request, f"Project {project.name!r} and everything in it were deleted.")
    return redirect("transcripts:project_list")
