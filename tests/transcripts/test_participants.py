"""Participants and their typed attributes: the page, editing, the spreadsheet import."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, ParticipantFactory
from tests.transcripts.files import xlsx_bytes
from transcripts.models import Attribute, AttributeValue, Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def upload(name: str, data: bytes | str) -> io.BytesIO:
    buffer = io.BytesIO(data.encode() if isinstance(data, str) else data)
    buffer.name = name
    return buffer


def values_of(participant) -> dict[str, str]:
    return {
        v.attribute.name: v.value for v in participant.attribute_values.select_related("attribute")
    }


def test_attributes_import_from_csv_creates_participants_and_typed_attributes(logged_in, project):
    ParticipantFactory(project=project, label="P1")
    csv = (
        "label,Age band,Age,Joined,Notes\n"
        "P1,25-34,31,2024-05-01,Arrived late\n"
        "P2,25-34,29,02/06/2024,Carer for her mother\n"
        "P3,65-74,70,2024-06-03,\n"
    )
    response = logged_in.post(
        reverse("transcripts:participant_attributes_import", args=[project.pk]),
        {"file": upload("people.csv", csv)},
    )
    assert response.status_code == 302
    types = dict(project.attributes.values_list("name", "type"))
    assert types == {"Age band": "choice", "Age": "number", "Joined": "date", "Notes": "text"}
    assert project.attributes.get(name="Age band").choices == ["25-34", "65-74"]
    p2 = project.participants.get(label="P2")
    assert values_of(p2) == {
        "Age band": "25-34",
        "Age": "29",
        "Joined": "2024-06-02",
        "Notes": "Carer for her mother",
    }
    page = logged_in.get(response["Location"]).content.decode()
    assert "1 updated" in page and "2 participant(s) added" in page


def test_attributes_import_from_xlsx(logged_in, project):
    data = xlsx_bytes([["Participant", "Gender"], ["P7", "Female"], ["P8", "Male"]])
    logged_in.post(
        reverse("transcripts:participant_attributes_import", args=[project.pk]),
        {"file": upload("people.xlsx", data)},
    )
    assert values_of(project.participants.get(label="P8")) == {"Gender": "Male"}


def test_attribute_import_errors_name_row_and_column_and_change_nothing(logged_in, project):
    Attribute.objects.create(project=project, name="Age", type="number")
    Attribute.objects.create(project=project, name="Carer", type="choice", choices=["Yes", "No"])
    csv = "label,Age,Carer,Region\nP1,forty,Yes,North\n,31,No,South\nP3,33,Maybe,East\nP1,1,No,X\n"
    response = logged_in.post(
        reverse("transcripts:participant_attributes_import", args=[project.pk]),
        {"file": upload("people.csv", csv)},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "people.csv, row 2, column &#x27;Age&#x27;: &#x27;forty&#x27; is not a number" in html
    assert "people.csv, row 3: no participant label" in html
    assert "row 4, column &#x27;Carer&#x27;: &#x27;Maybe&#x27; is not one of: Yes, No" in html
    assert "row 5: participant &#x27;P1&#x27; is also on row 2" in html
    assert not Participant.objects.exists()
    assert not Attribute.objects.filter(name="Region").exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("people.txt", b"label\nP1", "people.txt: unsupported file type .txt"),
        ("people.csv", b"", "people.csv: the file is empty"),
        ("people.xlsx", b"not a workbook", "people.xlsx: not a readable Excel workbook"),
    ],
)
def test_attribute_import_refuses_bad_files_naming_them(logged_in, project, name, data, message):
    response = logged_in.post(
        reverse("transcripts:participant_attributes_import", args=[project.pk]),
        {"file": upload(name, data)},
    )
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_participants_page_lists_attributes_as_columns(
    logged_in, project, django_assert_num_queries
):
    gender = Attribute.objects.create(project=project, name="Gender")
    for label in ("P1", "P2", "P3"):
        participant = ParticipantFactory(project=project, label=label)
        AttributeValue.objects.create(participant=participant, attribute=gender, value="F")
    url = reverse("transcripts:participant_list", args=[project.pk])
    with django_assert_num_queries(6):  # session, user, membership, attributes, rows, values
        html = logged_in.get(url).content.decode()
    assert "<th" in html and ">Gender</th>" in html
    assert html.count("<td>F</td>") == 3


def test_editing_a_participant_checks_each_typed_value(logged_in, project):
    participant = ParticipantFactory(project=project, label="P1")
    age = Attribute.objects.create(project=project, name="Age", type="number")
    band = Attribute.objects.create(
        project=project, name="Band", type="choice", choices=["18-24", "25-34"]
    )
    url = reverse("transcripts:participant_edit", args=[project.pk, participant.pk])
    bad = logged_in.post(url, {"label": "P1", f"attr_{age.pk}": "old", f"attr_{band.pk}": ""})
    assert bad.status_code == 400
    assert "Age: &#x27;old&#x27; is not a number" in bad.content.decode()
    assert not AttributeValue.objects.exists()
    good = logged_in.post(
        url, {"label": "P1a", "notes": "Quiet", f"attr_{age.pk}": "41", f"attr_{band.pk}": "25-34"}
    )
    assert good.status_code == 302
    participant.refresh_from_db()
    assert participant.label == "P1a" and values_of(participant) == {"Age": "41", "Band": "25-34"}


def test_adding_attributes_and_participants(logged_in, project):
    url = reverse("transcripts:attribute_create", args=[project.pk])
    assert logged_in.post(url, {"name": "Carer", "type": "choice", "choices": "Yes, No"})
    assert project.attributes.get(name="Carer").choices == ["Yes", "No"]
    again = logged_in.post(url, {"name": "carer", "type": "text"})
    assert again.status_code == 400 and "already an attribute" in again.content.decode()
    missing = logged_in.post(url, {"name": "Band", "type": "choice", "choices": ""})
    assert "needs its choices" in missing.content.decode()
    logged_in.post(reverse("transcripts:participant_create", args=[project.pk]), {"label": "P9"})
    assert project.participants.filter(label="P9").exists()
    dup = logged_in.post(
        reverse("transcripts:participant_create", args=[project.pk]), {"label": "P9"}
    )
    assert dup.status_code == 400 and "already a participant" in dup.content.decode()


WRITES = [
    ("participant_create", {"label": "PX"}),
    ("attribute_create", {"name": "X", "type": "text"}),
    ("participant_attributes_import", {}),
]


@pytest.mark.parametrize(("name", "data"), WRITES)
def test_viewers_cannot_change_participants(client, viewer, project, name, data):
    client.login(username=viewer.username, password=PASSWORD)
    if name == "participant_attributes_import":
        data = {"file": upload("p.csv", "label,Age\nPX,3\n")}
    assert client.post(reverse(f"transcripts:{name}", args=[project.pk]), data).status_code == 403
    assert not Participant.objects.exists() and not Attribute.objects.exists()


def test_viewers_see_participants_but_cannot_edit_one(client, viewer, project):
    participant = ParticipantFactory(project=project, label="P1")
    client.login(username=viewer.username, password=PASSWORD)
    assert client.get(reverse("transcripts:participant_list", args=[project.pk])).status_code == 200
    url = reverse("transcripts:participant_edit", args=[project.pk, participant.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"label": "Changed"}).status_code == 403
    participant.refresh_from_db()
    assert participant.label == "P1"


@pytest.mark.parametrize(
    "name",
    [
        "participant_list",
        "participant_create",
        "attribute_create",
        "participant_attributes_import",
        "participant_edit",
    ],
)
def test_participant_pages_are_404_for_non_members(client, outsider, project, name):
    participant = ParticipantFactory(project=project)
    client.login(username=outsider.username, password=PASSWORD)
    args = [project.pk, participant.pk] if name == "participant_edit" else [project.pk]
    method = client.get if name in ("participant_list", "participant_edit") else client.post
    assert method(reverse(f"transcripts:{name}", args=args)).status_code == 404
