"""Every URL of the apps x every role x both projects' object ids, generated from the URL
resolver, so a new view is covered without anyone writing a test for it.

A *leak* is any answer that is not a refusal where a refusal is due:
- someone with no membership of the project (an outsider, a removed member) gets 404 on every
  URL of it, GET or POST; an anonymous visitor is sent to log in (or gets 404);
- a viewer's POST is refused (403/404/405) and changes nothing;
- an owner of project A asking project A's URLs for project B's objects gets 404 (id swap).
"""

from __future__ import annotations

import re

import pytest
from django.urls import get_resolver, reverse

from coding.models import AuditEvent, Code, Coding, Memo
from jobs.models import Job
from tests.factories import (
    CodeFactory,
    CodingFactory,
    MembershipFactory,
    ParticipantFactory,
    ProjectFactory,
    TranscriptFactory,
    TurnFactory,
    UserFactory,
)
from themes.models import CandidateTheme, Suggestion
from transcripts.models import Identifier, ImportBatch, Membership

pytestmark = pytest.mark.django_db
APPS = ("transcripts", "coding", "themes")
KWARG = re.compile(r"<(?:\w+:)?(\w+)>")


def patterns() -> list[tuple[str, list[str]]]:
    found = []

    def walk(items, prefix="", namespace=None):
        for item in items:
            if hasattr(item, "url_patterns"):
                walk(item.url_patterns, prefix + str(item.pattern), item.namespace or namespace)
            elif namespace in APPS and item.name:
                found.append(
                    (f"{namespace}:{item.name}", KWARG.findall(prefix + str(item.pattern)))
                )

    walk(get_resolver().url_patterns)
    return found


def objects(project, owner) -> dict[str, object]:
    transcript = TranscriptFactory(project=project, text="P1: I want a letter, please.")
    turn = TurnFactory(transcript=transcript, order=0, start=4, end=28, speaker_label="P1")
    code = CodeFactory(project=project)
    coding = CodingFactory(transcript=transcript, code=code, coder=owner, start=4, end=10)
    job = Job.objects.create(project=project, kind="coding.verify")
    batch = ImportBatch.objects.create(project=project, created_by=owner)
    participant = ParticipantFactory(project=project)
    suggestion = Suggestion.objects.create(
        project=project, transcript=transcript, code=code, start=4, end=10, text="I want",
        confidence=0.5,
    )  # fmt: skip
    candidate = CandidateTheme.objects.create(project=project, label="Letters")
    event = AuditEvent.objects.create(
        project=project, user=owner, action="delete", object_type="coding", object_id=999,
        before={"transcript": transcript.pk, "code": code.pk, "coder": owner.pk, "start": 4,
                "end": 10, "text": "I want"},
    )  # fmt: skip
    member = Membership.objects.get(project=project, user=owner)
    identifier = Identifier.objects.create(project=project, key="p1", surface="P1", type="PERSON")
    memo = Memo.objects.create(project=project, title="Plan", text="Secret plan", author=owner)
    return {
        "project_id": project.pk, "transcript_id": transcript.pk, "turn_id": turn.pk,
        "code_id": code.pk, "coding_id": coding.pk, "job_id": job.pk, "batch_id": batch.pk,
        "participant_id": participant.pk, "suggestion_id": suggestion.pk,
        "candidate_id": candidate.pk, "event_id": event.pk, "member_id": member.pk,
        "identifier_id": identifier.pk, "memo_id": memo.pk,
        "export": "framework_csv",
    }  # fmt: skip


@pytest.fixture
def world():
    a_owner, b_owner = UserFactory(), UserFactory()
    a, b = ProjectFactory(created_by=a_owner), ProjectFactory(created_by=b_owner)
    MembershipFactory(project=a, user=a_owner, role="owner")
    MembershipFactory(project=b, user=b_owner, role="owner")
    viewer, outsider, removed = UserFactory(), UserFactory(), UserFactory()
    MembershipFactory(project=a, user=viewer, role="viewer")
    gone = MembershipFactory(project=a, user=removed, role="coder")
    gone.delete()  # a member who was removed
    return {
        "a": objects(a, a_owner), "b": objects(b, b_owner), "a_owner": a_owner,
        "viewer": viewer, "outsider": outsider, "removed": removed,
    }  # fmt: skip


def url(name: str, kwargs: list[str], ids: dict[str, object]) -> str:
    return reverse(name, kwargs={k: ids[k] for k in kwargs})


def snapshot() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Code, Coding, Job, Suggestion, Membership, AuditEvent)
    )


def test_no_outsider_removed_member_or_anonymous_visitor_reaches_a_project(client, world):
    leaks = []
    routes = [(n, k) for n, k in patterns() if "project_id" in k]
    assert len(routes) > 50
    for role in ("outsider", "removed", None):
        client.logout()
        if role:
            client.force_login(world[role])
        for name, kwargs in routes:
            target = url(name, kwargs, world["a"])
            for method in ("get", "post"):
                status = getattr(client, method)(target).status_code
                allowed = {404, 405} | ({302} if role is None else set())
                if status not in allowed:
                    leaks.append((role or "anonymous", method, name, status))
    assert leaks == []


# POSTs a viewer may make: exporting reads the project (viewers export, as owners and coders do).
VIEWER_READS = {"themes:export_job_start"}


def test_a_viewer_changes_nothing(client, world):
    client.force_login(world["viewer"])
    before = snapshot()
    leaks = []
    for name, kwargs in patterns():
        if "project_id" not in kwargs or name in VIEWER_READS:
            continue
        status = client.post(url(name, kwargs, world["a"])).status_code
        if status not in (403, 404, 405):
            leaks.append((name, status))
    assert leaks == [] and snapshot() == before


def test_no_id_of_another_project_is_accepted(client, world):
    client.force_login(world["a_owner"])
    leaks = []
    for name, kwargs in patterns():
        swappable = [k for k in kwargs if k not in ("project_id", "export")]
        for key in swappable:
            ids = {**world["a"], key: world["b"][key]}
            for method in ("get", "post"):
                status = getattr(client, method)(url(name, kwargs, ids)).status_code
                if status not in (404, 405):
                    leaks.append((method, name, key, status))
    assert leaks == []
