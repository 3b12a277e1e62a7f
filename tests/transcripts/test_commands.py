from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from coding.models import Code
from transcripts.models import Project

pytestmark = pytest.mark.django_db


def test_create_user_makes_an_account_that_can_log_in(client):
    call_command("create_user", "ana", "--password", "a long enough passphrase")
    assert client.login(username="ana", password="a long enough passphrase")


def test_create_user_refuses_a_weak_password():
    with pytest.raises(CommandError, match="too short"):
        call_command("create_user", "ana", "--password", "abc")
    assert not get_user_model().objects.filter(username="ana").exists()


def test_create_user_will_not_overwrite_without_update():
    call_command("create_user", "ana", "--password", "a long enough passphrase")
    with pytest.raises(CommandError, match="exists already"):
        call_command("create_user", "ana", "--password", "another long passphrase")


def test_load_demo_creates_a_project_once(client):
    call_command("load_demo")
    call_command("load_demo")
    project = Project.objects.get()
    assert project.transcripts.count() == 2
    assert Code.objects.filter(project=project).count() == 5
    fg1 = project.transcripts.get(name="FG1")
    letter = [t for t in fg1.turns.all() if "Definitely letter" in t.text]
    assert letter and letter[0].participant.label == "P3"
    coded = fg1.codings.get(text__startswith="Definitely letter")
    assert (coded.code.name, coded.starred) == ("Communication", True)
    assert project.transcripts.get(name="FG2").codings.count() == 2
    assert client.login(username="demo", password="demo-analyst")
