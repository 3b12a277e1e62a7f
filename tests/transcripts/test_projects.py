from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from jobs.services import job_create
from tests.factories import PASSWORD, CodingFactory, ProjectFactory, TranscriptFactory
from transcripts.models import Membership, Project

pytestmark = pytest.mark.django_db


def login(client: Client, user) -> Client:
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_login_page_is_shown_to_anonymous_visitors(client):
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert b"Log in" in response.content
    assert response.redirect_chain[-1][0].startswith(reverse("login"))


def test_login_with_wrong_password_is_refused(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": "nope"})
    assert response.status_code == 200
    assert b"enter a correct username and password" in response.content


def test_project_list_shows_only_my_projects(client, user, project, django_assert_num_queries):
    ProjectFactory(name="Someone else's study")
    login(client, user)
    with django_assert_num_queries(3):  # session, user, projects
        response = client.get(reverse("transcripts:project_list"))
    assert project.name in response.content.decode()
    assert "Someone else" not in response.content.decode()


def test_creating_a_project_makes_me_its_owner(client, user):
    login(client, user)
    response = client.post(
        reverse("transcripts:project_create"), {"name": "NHS data study"}, follow=True
    )
    project = Project.objects.get(name="NHS data study")
    assert Membership.objects.get(project=project, user=user).role == "owner"
    assert b"NHS data study" in response.content


def test_project_needs_a_name(client, user):
    login(client, user)
    response = client.post(reverse("transcripts:project_create"), {"name": ""})
    assert response.status_code == 200
    assert not Project.objects.exists()


def test_owner_invites_an_existing_user_as_viewer(client, user, project, outsider):
    login(client, user)
    response = client.post(
        reverse("transcripts:project_members", args=[project.pk]),
        {"username": outsider.username, "role": "viewer"},
    )
    assert response.status_code == 302
    assert Membership.objects.get(project=project, user=outsider).role == "viewer"
    login(Client(), outsider)


def test_inviting_an_unknown_user_names_them(client, user, project):
    login(client, user)
    response = client.post(
        reverse("transcripts:project_members", args=[project.pk]),
        {"username": "ghost", "role": "coder"},
    )
    assert "no user called &#x27;ghost&#x27;" in response.content.decode()


def test_last_owner_cannot_demote_themselves(client, user, project):
    login(client, user)
    response = client.post(
        reverse("transcripts:project_members", args=[project.pk]),
        {"username": user.username, "role": "viewer"},
    )
    assert "at least one owner" in response.content.decode()
    assert Membership.objects.get(project=project, user=user).role == "owner"


@pytest.mark.parametrize("role", ["coder", "viewer"])
def test_only_owners_change_membership(client, project, outsider, role):
    from tests.conftest import member

    someone = member(project, role)
    login(client, someone)
    response = client.post(
        reverse("transcripts:project_members", args=[project.pk]),
        {"username": outsider.username, "role": "owner"},
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=outsider).exists()


def project_urls(project, job):
    return [
        ("get", reverse("transcripts:project_detail", args=[project.pk])),
        ("get", reverse("transcripts:project_members", args=[project.pk])),
        ("post", reverse("transcripts:project_members", args=[project.pk])),
        ("get", reverse("transcripts:job_status", args=[project.pk, job.pk])),
        ("post", reverse("transcripts:job_cancel", args=[project.pk, job.pk])),
        ("post", reverse("coding:codings_verify", args=[project.pk])),
        ("post", reverse("transcripts:project_delete", args=[project.pk])),
    ]


def test_non_members_get_404_everywhere(client, project, outsider):
    job = job_create(project=project, kind="coding.verify")
    login(client, outsider)
    for method, url in project_urls(project, job):
        response = getattr(client, method)(url)
        assert response.status_code == 404, url


def test_anonymous_visitors_are_sent_to_login(client, project):
    job = job_create(project=project, kind="coding.verify")
    for method, url in project_urls(project, job):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login"))


def test_viewers_cannot_start_or_cancel_jobs(client, project, viewer):
    job = job_create(project=project, kind="coding.verify")
    login(client, viewer)
    assert client.get(reverse("transcripts:project_detail", args=[project.pk])).status_code == 200
    assert client.post(reverse("coding:codings_verify", args=[project.pk])).status_code == 403
    assert (
        client.post(reverse("transcripts:job_cancel", args=[project.pk, job.pk])).status_code == 403
    )
    job.refresh_from_db()
    assert not job.cancel_requested


def test_forms_refuse_posts_without_csrf_token(user, project):
    client = login(Client(enforce_csrf_checks=True), user)
    response = client.post(reverse("transcripts:project_create"), {"name": "Forged"})
    assert response.status_code == 403
    assert not Project.objects.filter(name="Forged").exists()


def test_htmx_requests_carry_the_csrf_token_from_the_body(client, user, project):
    login(client, user)
    page = client.get(reverse("transcripts:project_detail", args=[project.pk])).content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in page


def test_verify_job_runs_in_process_and_reports_mismatches(
    client, user, project, django_capture_on_commit_callbacks
):
    transcript = TranscriptFactory(project=project, text="P1: I would like a letter.")
    good = CodingFactory(transcript=transcript, start=4, end=26, coder=user)
    bad = CodingFactory(transcript=transcript, start=4, end=10, coder=user, text="stale!")
    login(client, user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("coding:codings_verify", args=[project.pk]), HTTP_HX_REQUEST="true")
    job = project.jobs.get()
    html = client.get(reverse("transcripts:job_status", args=[project.pk, job.pk])).content.decode()
    assert 'data-status="done"' in html
    assert job.result == {
        "checked": 2,
        "mismatch_count": 1,
        "mismatched": [{"coding": bad.pk, "transcript": transcript.name, "start": 4}],
    }
    assert good.pk != bad.pk


def test_owner_deletes_a_project_with_its_uploaded_files(
    client, user, project, django_capture_on_commit_callbacks
):
    transcript = TranscriptFactory(project=project)
    transcript.original_file.save("fg1.txt", ContentFile(b"P1: hello"))
    stored = transcript.original_file.name
    login(client, user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("transcripts:project_delete", args=[project.pk]), {"confirm_name": project.name}
        )
    assert response.status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists()
    assert not default_storage.exists(stored)


def test_deleting_a_project_needs_its_exact_name(client, user, project):
    login(client, user)
    response = client.post(
        reverse("transcripts:project_delete", args=[project.pk]),
        {"confirm_name": "study"},
        follow=True,
    )
    assert "Type the project&#x27;s name exactly" in response.content.decode()
    assert Project.objects.filter(pk=project.pk).exists()


@pytest.mark.parametrize("role", ["coder", "viewer"])
def test_only_owners_delete_projects(client, project, role):
    from tests.conftest import member

    login(client, member(project, role))
    response = client.post(
        reverse("transcripts:project_delete", args=[project.pk]), {"confirm_name": project.name}
    )
    assert response.status_code == 403
    assert Project.objects.filter(pk=project.pk).exists()


def test_a_missing_project_gives_the_apps_own_404_page(client, user):
    client.login(username=user.username, password=PASSWORD)
    response = client.get("/projects/987654/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'id="not-found"' in html and "Your projects" in html
    assert "URLconf" not in html and "Using the URLconf" not in html


def test_a_viewer_changing_something_gets_the_apps_own_403_page(client, project, viewer):
    client.login(username=viewer.username, password=PASSWORD)
    response = client.post(f"/projects/{project.pk}/members/", {"username": "x", "role": "coder"})
    assert response.status_code == 403
    assert 'id="forbidden"' in response.content.decode()


def test_a_failed_login_keeps_the_username(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    html = response.content.decode()
    assert f'value="{user.username}"' in html
    assert "error" in html


def test_the_verify_job_ends_saying_it_checked_every_transcript(project, user):
    from coding.services.codings import codings_verify
    from jobs.runner import JobProgress
    from jobs.services import job_create

    for name in ("FG1", "FG2", "FG3"):
        TranscriptFactory(project=project, name=name, text=f"P1: {name} words.")
    job = job_create(project=project, kind="coding.verify")
    progress = JobProgress(job, interval=3600)  # only forced reports get through
    codings_verify(project=project, progress=progress)
    job.refresh_from_db()
    assert job.message == "Checked 3 of 3" and job.progress == 1


def test_an_owner_removes_a_member_and_the_audit_log_records_it(client, user, project, coder):
    from coding.models import AuditEvent

    login(client, user)
    mine = project.memberships.get(user=coder)
    page = client.get(reverse("transcripts:project_members", args=[project.pk])).content.decode()
    assert reverse("transcripts:member_remove", args=[project.pk, mine.pk]) in page
    response = client.post(reverse("transcripts:member_remove", args=[project.pk, mine.pk]))
    assert response.status_code == 302
    assert not project.memberships.filter(user=coder).exists()
    event = AuditEvent.objects.get(project=project, object_type="membership", action="delete")
    assert event.user == user and event.before == {"member": coder.username, "role": "coder"}
    log = client.get(reverse("coding:audit_log", args=[project.pk])).content.decode()
    assert f"member {coder.username}" in log
    # the removed member now gets the app's 404 for the project
    client.logout()
    client.force_login(coder)
    assert client.get(reverse("transcripts:project_detail", args=[project.pk])).status_code == 404


def test_only_owners_remove_members_and_never_the_last_owner(client, user, project, coder):
    mine = project.memberships.get(user=user)
    login(client, coder)
    url = reverse("transcripts:member_remove", args=[project.pk, mine.pk])
    assert client.post(url).status_code == 403
    login(client, user)
    client.post(url)
    assert project.memberships.filter(user=user, role="owner").exists()
