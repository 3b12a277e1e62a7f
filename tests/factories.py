from __future__ import annotations

import hashlib

import factory
from django.contrib.auth import get_user_model

from coding.models import Code, Coding
from transcripts.models import Membership, Participant, Project, Transcript, Turn

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"analyst{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Study {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = "coder"


class TranscriptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Transcript

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"FG{n}")
    text = factory.Sequence(lambda n: f"Moderator: Welcome to group {n}.\n\nP1: Hello there.")
    content_hash = factory.LazyAttribute(lambda o: hashlib.sha256(o.text.encode()).hexdigest())


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    project = factory.SubFactory(ProjectFactory)
    label = factory.Sequence(lambda n: f"P{n}")


class TurnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Turn

    transcript = factory.SubFactory(TranscriptFactory)
    order = factory.Sequence(int)
    speaker_label = "P1"
    start = 0
    end = factory.LazyAttribute(lambda o: len(o.transcript.text))


class CodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Code

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Code {n}")
    definition = "A definition."


class CodingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coding

    transcript = factory.SubFactory(TranscriptFactory)
    code = factory.SubFactory(CodeFactory, project=factory.SelfAttribute("..transcript.project"))
    coder = factory.SubFactory(UserFactory)
    start = 0
    end = 5
    text = factory.LazyAttribute(lambda o: o.transcript.text[o.start : o.end])
