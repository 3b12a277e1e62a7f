"""The REFI-QDA pages and commands: who may do what, and what the analyst sees."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from coding.models import Code
from coding.services.codes import code_create
from jobs.models import Job
from tests.coding.refi_support import assert_valid_qdc, assert_valid_qdpx, sample
from tests.conftest import member
from tests.factories import PASSWORD
from transcripts.models import Project

pytestmark = pytest.mark.django_db

QDC = (
    b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
    b'<Code guid="0b5e3c2e-8d8c-4b8e-9f9a-1d2c3b4a5f60" name="Trust" isCodable="true"/>'
    b"</Codes><Sets/></CodeBook>"
)


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.mark.parametrize("role", ["owner", "coder", "viewer"])
def test_members_download_valid_exports(client, project, role):
    code_create(project=project, user=None, name="Trust")
    login(client, member(project, role))
    qdpx = client.get(reverse("coding:qdpx_export", args=[project.pk]))
    qdc = client.get(reverse("coding:qdc_export", args=[project.pk]))
    assert qdpx.status_code == qdc.status_code == 200
    assert "attachment" in qdpx["Content-Disposition"]
    assert_valid_qdpx(qdpx.content)
    assert_valid_qdc(qdc.content)


def test_non_members_get_404_on_every_exchange_view(client, project, outsider):
    login(client, outsider)
    job = Job.objects.create(project=project, kind="coding.refi_import")
    for method, url in [
        ("get", reverse("coding:qdpx_export", args=[project.pk])),
        ("get", reverse("coding:qdc_export", args=[project.pk])),
        ("post", reverse("coding:qdc_import", args=[project.pk])),
        ("get", reverse("coding:qdpx_import_status", args=[project.pk, job.pk])),
    ]:
        assert getattr(client, method)(url).status_code == 404, url


def test_viewers_cannot_import_a_codebook(client, project, viewer):
    login(client, viewer)
    response = client.post(
        reverse("coding:qdc_import", args=[project.pk]), {"file": upload("c.qdc", QDC)}
    )
    assert response.status_code == 403
    assert not Code.objects.exists()


def test_a_coder_merges_a_codebook_from_the_project_page(client, project, coder):
    login(client, coder)
    page = client.get(reverse("transcripts:project_detail", args=[project.pk])).content.decode()
    assert reverse("coding:qdc_import", args=[project.pk]) in page
    assert reverse("coding:qdpx_export", args=[project.pk]) in page
    response = client.post(
        reverse("coding:qdc_import", args=[project.pk]), {"file": upload("c.qdc", QDC)}, follow=True
    )
    assert "1 code(s) added" in response.content.decode()
    assert Code.objects.get(project=project).name == "Trust"


def test_a_bad_codebook_upload_names_the_file(client, project, coder):
    login(client, coder)
    response = client.post(
        reverse("coding:qdc_import", args=[project.pk]),
        {"file": upload("mine.qdc", b"<x")},
        follow=True,
    )
    assert "mine.qdc is not well-formed XML" in response.content.decode()


def test_importing_a_qdpx_creates_a_project_i_own_and_links_to_it(
    client, user, django_capture_on_commit_callbacks
):
    login(client, user)
    listing = client.get(reverse("transcripts:project_list")).content.decode()
    assert reverse("coding:qdpx_import") in listing
    data = sample("qc-1.3.2_demo.qdpx")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("coding:qdpx_import"), {"file": upload("demo.qdpx", data), "name": "Schools"}
        )
    response = client.get(response["Location"])
    project = Project.objects.get(name="Schools")
    html = response.content.decode()
    assert project.memberships.get(user=user).role == "owner"
    assert project.transcripts.count() == 2
    assert reverse("transcripts:project_detail", args=[project.pk]) in html
    assert "205 codings" in html
    assert "Imported 2 transcript(s), 262 code(s), 205 coding(s)." in html
    job = Job.objects.get(project=project)
    assert job.status == "done"
    polled = client.get(
        reverse("coding:qdpx_import_status", args=[project.pk, job.pk]), HTTP_HX_REQUEST="true"
    )
    assert "<html" not in polled.content.decode() and "hx-trigger" not in polled.content.decode()


def test_a_running_import_is_polled(client, user, project):
    job = Job.objects.create(
        project=project, kind="coding.refi_import", params={"filename": "x.qdpx"}
    )
    login(client, user)
    html = client.get(
        reverse("coding:qdpx_import_status", args=[project.pk, job.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'hx-trigger="every 2s"' in html


def test_a_failed_background_import_offers_to_remove_its_empty_project(client, user, project):
    job = Job.objects.create(
        project=project,
        kind="coding.refi_import",
        params={"filename": "x.qdpx"},
        status="failed",
        error="The worker stopped.",
    )
    login(client, user)
    status_url = reverse("coding:qdpx_import_status", args=[project.pk, job.pk])
    html = client.get(status_url).content.decode()
    assert "Nothing was imported. The worker stopped." in html
    assert "Remove the empty project" in html
    client.post(
        reverse("transcripts:project_delete", args=[project.pk]), {"confirm_name": project.name}
    )
    assert not Project.objects.filter(pk=project.pk).exists()


def test_a_failed_import_never_offers_to_remove_a_project_with_material(client, user, project):
    from tests.factories import TranscriptFactory

    TranscriptFactory(project=project)
    job = Job.objects.create(
        project=project, kind="coding.refi_import", params={"filename": "x.qdpx"}, status="failed"
    )
    login(client, user)
    html = client.get(
        reverse("coding:qdpx_import_status", args=[project.pk, job.pk])
    ).content.decode()
    assert "Remove the empty project" not in html


def test_an_atlas_import_shows_what_was_not_imported(
    client, user, django_capture_on_commit_callbacks
):
    login(client, user)
    data = sample("atlasti-8.4_standard-project_TestProject.qdpx")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("coding:qdpx_import"), {"file": upload("atlas.qdpx", data)})
    html = client.get(response["Location"]).content.decode()
    assert "Not imported" in html and "picture sources are not imported" in html


def test_a_bad_qdpx_upload_says_why_and_creates_no_project(client, user):
    login(client, user)
    response = client.post(reverse("coding:qdpx_import"), {"file": upload("fg.qdpx", b"hello")})
    assert response.status_code == 200
    assert "fg.qdpx is not a REFI-QDA project: it is not a zip archive" in response.content.decode()
    assert not Project.objects.exists()


def test_commands_export_and_import_a_project(tmp_path, project, user):
    code_create(project=project, user=user, name="Trust")
    out = tmp_path / "p.qdpx"
    call_command("export_qdpx", str(project.pk), "--out", str(out))
    assert_valid_qdpx(out.read_bytes())
    call_command("import_qdpx", str(out), "--name", "Copy", "--owner", user.username)
    copy = Project.objects.get(name="Copy")
    assert list(Code.objects.filter(project=copy).values_list("name", flat=True)) == ["Trust"]
    qdc = tmp_path / "f.qdc"
    call_command("export_qdc", str(project.pk), "--out", str(qdc))
    assert_valid_qdc(qdc.read_bytes())
    call_command("import_qdc", str(copy.pk), str(qdc))
    assert Code.objects.filter(project=copy).count() == 1


def test_import_command_reports_a_bad_file(tmp_path, user):
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"nope")
    with pytest.raises(CommandError, match="bad.qdpx is not a REFI-QDA project"):
        call_command("import_qdpx", str(bad), "--owner", user.username)
    assert not Project.objects.exists()


def test_an_empty_framework_cannot_be_exported_as_a_codebook(client, project, user, tmp_path):
    login(client, user)
    response = client.get(reverse("coding:qdc_export", args=[project.pk]), follow=True)
    assert "no codes yet" in response.content.decode()
    with pytest.raises(CommandError, match="no codes yet"):
        call_command("export_qdc", str(project.pk), "--out", str(tmp_path / "x.qdc"))


def test_the_import_status_page_is_404_for_a_job_of_another_kind(client, user, project):
    job = Job.objects.create(project=project, kind="coding.verify")
    login(client, user)
    response = client.get(reverse("coding:qdpx_import_status", args=[project.pk, job.pk]))
    assert response.status_code == 404
