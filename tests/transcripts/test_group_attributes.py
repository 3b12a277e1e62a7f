"""Group attributes: typed details of a group beyond site and date, set on a transcript's page,
shown in the transcript list, and used as framework-matrix rows and export filters."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from transcripts.models import GroupAttribute, GroupAttributeValue
from transcripts.services.groups import group_attribute_create, group_values_set

pytestmark = pytest.mark.django_db


def test_a_group_attribute_is_typed_and_its_values_checked(project):
    from tests.factories import TranscriptFactory

    transcript = TranscriptFactory(project=project, name="FG1")
    setting = group_attribute_create(project=project, name=" Urban / rural ", type="choice",
                                     choices="Urban, Rural")  # fmt: skip
    size = group_attribute_create(project=project, name="Invited", type="number")
    assert setting.name == "Urban / rural" and setting.choices == ["Urban", "Rural"]
    group_values_set(transcript=transcript, values={setting.pk: "rural", size.pk: "12"})
    assert dict(transcript.group_values.values_list("attribute__name", "value")) == {
        "Urban / rural": "Rural", "Invited": "12"
    }  # fmt: skip
    with pytest.raises(ValidationError) as error:
        group_values_set(transcript=transcript, values={setting.pk: "Suburb", size.pk: "x"})
    assert "Urban / rural: 'Suburb' is not one of: Urban, Rural." in str(error.value)
    assert "Invited: 'x' is not a number." in str(error.value)
    assert transcript.group_values.get(attribute=size).value == "12"  # nothing changed
    group_values_set(transcript=transcript, values={size.pk: ""})
    assert not transcript.group_values.filter(attribute=size).exists()
    with pytest.raises(ValidationError, match="already a detail of every group"):
        group_attribute_create(project=project, name="Site", type="text")
    with pytest.raises(ValidationError, match="already a group attribute"):
        group_attribute_create(project=project, name="urban / RURAL", type="text")
    with pytest.raises(ValidationError, match="needs its choices"):
        group_attribute_create(project=project, name="Route", type="choice")


def test_added_on_the_list_set_on_the_page_shown_in_the_list(client, project, user):
    from tests.factories import TranscriptFactory

    transcript = TranscriptFactory(project=project, name="FG1")
    client.force_login(user)
    listing = reverse("transcripts:transcript_list", args=[project.pk])
    response = client.post(
        reverse("transcripts:group_attribute_create", args=[project.pk]),
        {"name": "Recruitment route", "type": "choice", "choices": "GP practice, Charity"},
    )
    assert response.status_code == 302
    route = GroupAttribute.objects.get(project=project)
    detail = reverse("transcripts:transcript_detail", args=[project.pk, transcript.pk])
    form = client.get(detail, {"edit": "1"}).content.decode()
    assert f'name="group_{route.pk}"' in form and "Recruitment route" in form
    update = reverse("transcripts:transcript_update", args=[project.pk, transcript.pk])
    fields = {"name": "FG1", "kind": "focus_group", "site": "", "date": "", "facilitator": "",
              "description": ""}  # fmt: skip
    bad = client.post(update, {**fields, f"group_{route.pk}": "Leaflet"})
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()
    client.post(update, {**fields, f"group_{route.pk}": "Charity"})
    assert GroupAttributeValue.objects.get(transcript=transcript).value == "Charity"
    assert "<dt>Recruitment route</dt><dd>Charity</dd>" in client.get(detail).content.decode()
    page = client.get(listing).content.decode()
    assert "Recruitment route</th>" in page and "<td>Charity</td>" in page


def test_viewers_cannot_add_group_attributes(client, project, viewer):
    client.force_login(viewer)
    response = client.post(
        reverse("transcripts:group_attribute_create", args=[project.pk]),
        {"name": "Route", "type": "text"},
    )
    assert response.status_code == 403 and not GroupAttribute.objects.exists()


def test_transcripts_take_their_order_from_the_projects_counter(project):
    from transcripts.models import Project
    from transcripts.services.transcripts import TurnSpec, transcript_create

    def make(name, **extra):
        turns = [TurnSpec(start=4, end=9, speaker_label="P1", participant="P1")]
        return transcript_create(project=project, name=name, text=f"P1: {name} hello", turns=turns,
                                 **extra)  # fmt: skip

    first, second = make("FG1"), make("FG2")
    assert (first.order, second.order) == (1, 2)
    assert make("FG9", order=9).order == 9
    assert make("FG10").order == 10  # after an explicit order, the counter moved past it
    assert Project.objects.get(pk=project.pk).next_transcript_order == 11
