"""A project exported and imported again is the same project; every export is schema-valid."""

from __future__ import annotations

import datetime
import hashlib
import unicodedata

import pytest
from lxml import etree

from coding.models import Code, Coding
from coding.refi.export import project_qde_bytes
from coding.refi.services import codebook_qdc_bytes, project_qdpx_bytes, qdpx_import
from coding.services.codes import code_create
from coding.services.codings import coding_apply
from tests.coding.refi_support import assert_valid_qdc, assert_valid_qdpx
from tests.conftest import member
from transcripts.models import Attribute, AttributeValue, Participant, Project, Transcript, Turn

pytestmark = pytest.mark.django_db

FG1 = (
    "Moderator: Welcome. How do you feel about sharing records? 🙂\n\n"
    "P1: Café owners and me, we worry. Crème brûlée 👩‍👩‍👧 aside.\n\n"
    "P2: I'd want a letter 📬 first."
)
# Canonical text is NFC; "q" + combining tilde has no precomposed form, so it stays two code points.
FG2 = unicodedata.normalize(
    "NFC", "Facilitator: Second group.\n\nP3: Na\u0308ive q\u0303 who sees it? 🔒"
)


def transcript(project, name, text, **fields):
    return Transcript.objects.create(
        project=project,
        name=name,
        text=text,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        **fields,
    )


def rich_project(owner) -> Project:
    project = Project.objects.create(name="Data study ✨", description="Two groups.")
    from transcripts.models import Membership

    Membership.objects.create(project=project, user=owner, role="owner")
    second = member(project, "coder")
    fg1 = transcript(
        project,
        "FG1",
        FG1,
        site="Leeds",
        date=datetime.date(2025, 3, 4),
        facilitator="Moderator",
        description="Adults with a long-term condition",
    )
    fg2 = transcript(project, "FG2", FG2, kind="interview")
    age = Attribute.objects.create(project=project, name="Age band", order=0)
    years = Attribute.objects.create(project=project, name="Years", type="number", order=1)
    p1 = Participant.objects.create(project=project, label="P1", notes="Joined late")
    p2 = Participant.objects.create(project=project, label="P2")
    AttributeValue.objects.create(participant=p1, attribute=age, value="55-64")
    AttributeValue.objects.create(participant=p1, attribute=years, value="12")
    AttributeValue.objects.create(participant=p2, attribute=age, value="65–74")
    Turn.objects.create(transcript=fg1, order=0, start=0, end=10, participant=p1)
    theme = code_create(
        project=project,
        user=owner,
        name="Trust",
        definition="Who people trust with data.",
        inclusion="Named organisations.",
        exclusion="General worry.",
        example="I'd want a letter",
        colour="#6fcf97",
    )
    sub = code_create(project=project, user=owner, name="Letters ✉️", parent=theme)
    deeper = code_create(project=project, user=owner, name="Tone", parent=sub)
    other = code_create(project=project, user=owner, name="Security", colour="#eb5757")
    emoji_at = FG1.index("Crème")
    coding_apply(transcript=fg1, start=emoji_at, end=emoji_at + 20, code=theme, coder=owner)
    coding_apply(
        transcript=fg1, start=emoji_at, end=emoji_at + 20, code=other, coder=second, memo="Hm."
    )
    letter = FG1.index("a letter")
    coding_apply(transcript=fg1, start=letter, end=letter + 10, code=sub, coder=owner)
    naive = FG2.index("Nä")
    coding_apply(transcript=fg2, start=naive, end=len(FG2), code=deeper, coder=second)
    return project


def tree(project) -> list[tuple]:
    def path(code):
        return (path(code.parent) + " > " if code.parent else "") + code.name

    return sorted(
        (
            path(code),
            code.definition,
            code.inclusion,
            code.exclusion,
            code.example,
            code.colour,
        )
        for code in Code.objects.filter(project=project)
    )


def codings(project) -> list[tuple]:
    return sorted(
        (c.transcript.name, c.code.name, c.start, c.end, c.text, c.memo, c.coder.first_name)
        for c in Coding.objects.filter(transcript__project=project).select_related(
            "transcript", "code", "coder"
        )
    )


def participants(project) -> list[tuple]:
    return sorted(
        (
            p.label,
            p.notes,
            tuple(sorted((v.attribute.name, v.value) for v in p.attribute_values.all())),
        )
        for p in project.participants.all()
    )


def transcripts(project) -> list[tuple]:
    return sorted(
        (t.name, t.text, t.site, t.date, t.facilitator, t.description, t.kind)
        for t in project.transcripts.all()
    )


def speaking(project) -> set[tuple]:
    return set(
        Turn.objects.filter(transcript__project=project, participant__isnull=False).values_list(
            "transcript__name", "participant__label"
        )
    )


def test_a_project_exported_and_imported_is_the_same_project(user):
    original = rich_project(user)
    for coder in {c.coder for c in Coding.objects.all()}:
        coder.first_name = coder.username
        coder.save()
    data = project_qdpx_bytes(project=original)
    assert_valid_qdpx(data)
    report = qdpx_import(data=data, filename="study.qdpx", user=user)
    copy = Project.objects.get(pk=report["project_id"])
    assert copy.pk != original.pk and copy.name == original.name
    assert transcripts(copy) == transcripts(original)
    assert tree(copy) == tree(original)
    assert codings(copy) == codings(original)
    assert participants(copy) == participants(original)
    types = dict(copy.attributes.values_list("name", "type"))
    assert types == {"Age band": "text", "Years": "number"}
    # P1's case points at FG1, where P1 speaks: linked again. P2's case points nowhere (P2 was
    # linked to no turn), so the speaker label "P2:" in FG1 links it.
    assert report["not_imported"] == []
    assert speaking(original) == {("FG1", "P1")}
    assert speaking(copy) == {("FG1", "P1"), ("FG1", "P2")}
    # the second coder arrives as an inactive account without a password, coding for the copy
    imported_coders = {c.coder for c in Coding.objects.filter(transcript__project=copy)}
    assert user in imported_coders
    stranger = next(c for c in imported_coders if c != user)
    assert not stranger.is_active and not stranger.has_usable_password()
    assert copy.memberships.get(user=stranger).role == "coder"
    assert copy.memberships.get(user=user).role == "owner"


def test_exporting_twice_gives_the_same_guids(user):
    project = rich_project(user)
    first, _ = project_qde_bytes(project=project)
    second, _ = project_qde_bytes(project=project)
    assert first == second
    guids = etree.fromstring(first).xpath("//@guid")
    assert len(guids) == len(set(guids)) > 10


def test_a_reimported_project_keeps_the_guids_of_the_file(user):
    project = rich_project(user)
    data = project_qdpx_bytes(project=project)
    report = qdpx_import(data=data, filename="s.qdpx", user=user)
    copy = Project.objects.get(pk=report["project_id"])

    def guids(qde: bytes, xpath: str) -> list[str]:
        root = etree.fromstring(qde)
        return sorted(root.xpath(xpath, namespaces={"p": "urn:QDA-XML:project:1.0"}))

    before, _ = project_qde_bytes(project=project)
    after, _ = project_qde_bytes(project=copy)
    for xpath in ("//p:Code/@guid", "//p:TextSource/@guid", "//p:Coding/@guid", "//p:Case/@guid"):
        assert guids(before, xpath) == guids(after, xpath), xpath


def test_codings_are_exported_with_code_point_offsets_and_memos_as_notes(user):
    project = rich_project(user)
    archive = assert_valid_qdpx(project_qdpx_bytes(project=project))
    root = etree.fromstring(archive.read("project.qde"))
    ns = {"p": "urn:QDA-XML:project:1.0"}
    fg1 = root.xpath("//p:TextSource[@name='FG1']", namespaces=ns)[0]
    text = archive.read(fg1.get("plainTextPath").replace("internal://", "sources/")).decode()
    assert text == FG1
    for selection in fg1.xpath("p:PlainTextSelection", namespaces=ns):
        start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
        assert text[start:end] in {c.text for c in Coding.objects.all()}
    note = root.xpath("//p:Note", namespaces=ns)[0]
    ref = root.xpath("//p:Coding/p:NoteRef", namespaces=ns)[0]
    assert ref.get("targetGUID") == note.get("guid")
    assert note.xpath("string(p:PlainTextContent)", namespaces=ns) == "Hm."
    site = root.xpath("//p:Variable[@name='Site']/@guid", namespaces=ns)[0]
    value = fg1.xpath(f"p:VariableValue[p:VariableRef/@targetGUID='{site}']", namespaces=ns)[0]
    assert value.xpath("string(p:TextValue)", namespaces=ns) == "Leeds"


def test_the_framework_exports_as_a_valid_codebook_without_empty_sets(user):
    project = rich_project(user)
    data = codebook_qdc_bytes(project=project)
    assert_valid_qdc(data)
    assert b"<Sets" not in data
    root = etree.fromstring(data)
    names = root.xpath("//c:Code/@name", namespaces={"c": "urn:QDA-XML:codebook:1.0"})
    assert names == ["Trust", "Letters ✉️", "Tone", "Security"]


def test_an_empty_project_exports_a_valid_project_file(project):
    archive = assert_valid_qdpx(project_qdpx_bytes(project=project))
    assert archive.namelist() == ["project.qde"]


NS = {"p": "urn:QDA-XML:project:1.0"}


def test_each_coding_is_its_own_selection_by_its_coder_with_the_memo_as_description(user):
    """QualCoder takes a coding's coder from its selection and its memo from the selection's
    description, and keeps one coding per span and coder: one selection per coding."""
    project = rich_project(user)
    root = etree.fromstring(project_qde_bytes(project=project)[0])
    selections = root.xpath("//p:PlainTextSelection", namespaces=NS)
    assert len(selections) == Coding.objects.count() == 4
    users = {u.get("guid"): u.get("id") for u in root.xpath("//p:User", namespaces=NS)}
    for selection in selections:
        (coding,) = selection.xpath("p:Coding", namespaces=NS)
        assert selection.get("creatingUser") == coding.get("creatingUser")
    shared = [s for s in selections if s.get("name", "").startswith("Crème")]
    assert len(shared) == 2  # the same span, coded by two coders
    coders = {users[s.get("creatingUser")] for s in shared}
    assert coders == {c.coder.username for c in Coding.objects.filter(text__startswith="Crème")}
    memo = [s for s in shared if s.xpath("p:Description", namespaces=NS)]
    assert [m.xpath("string(p:Description)", namespaces=NS) for m in memo] == ["Hm."]
    assert root.xpath("string(//p:Note/p:PlainTextContent)", namespaces=NS) == "Hm."


def test_a_memo_written_as_description_and_note_imports_once(user):
    project = rich_project(user)
    report = qdpx_import(data=project_qdpx_bytes(project=project), filename="s.qdpx", user=user)
    memos = Coding.objects.filter(transcript__project_id=report["project_id"]).exclude(memo="")
    assert [c.memo for c in memos] == ["Hm."]


def test_codes_sharing_a_name_are_flagged_before_an_export_to_qualcoder(client, user):
    from coding.refi.export import exchange_warnings

    project = rich_project(user)
    assert exchange_warnings(project=project) == []
    trust = Code.objects.get(project=project, name="Trust")
    code_create(project=project, user=user, name="Other", parent=trust)
    code_create(project=project, user=user, name="other", parent=Code.objects.get(name="Security"))
    (warning,) = exchange_warnings(project=project)
    assert "QualCoder merges codes with the same name" in warning
    assert "'Other' under 'Trust'" in warning and "'other' under 'Security'" in warning
    from tests.factories import PASSWORD

    client.login(username=user.username, password=PASSWORD)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'id="exchange-warnings"' in page and "QualCoder merges codes" in page


def without_dates(qde: bytes) -> bytes:
    import re

    return re.sub(rb'(creationDateTime|modifiedDateTime)="[^"]*"', rb'\1=""', qde)


def test_a_round_trip_through_our_import_keeps_every_guid_and_link_byte_for_byte(user):
    from django.contrib.auth import get_user_model

    original = rich_project(user)
    first = qdpx_import(data=project_qdpx_bytes(project=original), filename="a.qdpx", user=user)
    b = Project.objects.get(pk=first["project_id"])
    accounts = get_user_model().objects.count()
    export_b, _ = project_qde_bytes(project=b)
    second = qdpx_import(data=project_qdpx_bytes(project=b), filename="b.qdpx", user=user)
    c = Project.objects.get(pk=second["project_id"])
    export_c, _ = project_qde_bytes(project=c)
    lines_b = without_dates(export_b).decode().splitlines()
    lines_c = without_dates(export_c).decode().splitlines()
    assert [(a, b) for a, b in zip(lines_b, lines_c, strict=True) if a != b] == []
    # the second import reused the placeholder coder of the first: no new account
    assert get_user_model().objects.count() == accounts
    assert second["coders_created"] == [] and len(second["coders_reused"]) == 1
    root = etree.fromstring(export_c)
    assert root.xpath("//p:Case/p:SourceRef", namespaces=NS)  # case-source links survive
    site = root.xpath("//p:Variable[@name='Site']/@guid", namespaces=NS)
    assert site == etree.fromstring(export_b).xpath(
        "//p:Variable[@name='Site']/@guid", namespaces=NS
    )


def test_a_file_cannot_claim_a_real_account_by_its_guid(user):
    """A placeholder is reused by GUID only if it is an inactive account with no password."""
    original = rich_project(user)
    report = qdpx_import(data=project_qdpx_bytes(project=original), filename="a.qdpx", user=user)
    b = Project.objects.get(pk=report["project_id"])
    placeholder = next(
        c.coder for c in Coding.objects.filter(transcript__project=b) if c.coder != user
    )
    placeholder.is_active = True
    placeholder.set_password("now-a-real-login")
    placeholder.save()
    again = qdpx_import(data=project_qdpx_bytes(project=b), filename="b.qdpx", user=user)
    assert again["coders_reused"] == [] and len(again["coders_created"]) == 1


def memos(project) -> list[tuple]:
    from coding.models import Memo

    return sorted(
        (m.about, m.subject, m.title, m.text, m.author.username if m.author else "")
        for m in Memo.objects.filter(project=project).select_related(
            "transcript", "participant", "code", "author"
        )
    )


def test_memos_of_every_kind_travel_as_notes_and_come_back(user):
    from coding.services.memos import memo_create

    original = rich_project(user)
    fg1 = original.transcripts.get(name="FG1")
    p1 = original.participants.get(label="P1")
    code = Code.objects.filter(project=original, parent__isnull=False).first()
    for subject, title, text in (
        (original, "Reflexive note", "We expected more on trust.\n\nWe were wrong."),
        (fg1, "Quiet group", "Two people barely spoke."),
        (p1, "Carer", "Speaks for her mother."),
        (code, "Boundary", "Keep apart from consent."),
    ):
        memo_create(project=original, subject=subject, title=title, text=text, user=user)
    data = project_qdpx_bytes(project=original)
    assert_valid_qdpx(data)
    qde, _files = project_qde_bytes(project=original)
    root = etree.fromstring(qde)
    ns = {"p": "urn:QDA-XML:project:1.0"}
    assert len(root.xpath("/p:Project/p:Notes/p:Note", namespaces=ns)) >= 4
    assert root.xpath("/p:Project/p:NoteRef", namespaces=ns)  # the project's own memo
    assert root.xpath("//p:TextSource[@name='FG1']/p:NoteRef", namespaces=ns)
    assert root.xpath(f"//p:Code[@name='{code.name}']/p:NoteRef", namespaces=ns)
    report = qdpx_import(data=data, filename="study.qdpx", user=user)
    copy = Project.objects.get(pk=report["project_id"])
    assert memos(copy) == memos(original)
    assert copy.description == original.description  # notes no longer pile up there
    again, _ = project_qde_bytes(project=copy)
    note_guids = "//p:Note/@guid"
    assert sorted(etree.fromstring(again).xpath(note_guids, namespaces=ns)) == sorted(
        root.xpath(note_guids, namespaces=ns)
    )


def test_group_attributes_travel_as_source_variables(user):
    from transcripts.services.groups import group_attribute_create, group_values_set

    original = rich_project(user)
    fg1 = original.transcripts.get(name="FG1")
    route = group_attribute_create(project=original, name="Recruitment route", type="text")
    invited = group_attribute_create(project=original, name="Invited", type="number")
    group_values_set(transcript=fg1, values={route.pk: "GP practice", invited.pk: "12"})
    data = project_qdpx_bytes(project=original)
    assert_valid_qdpx(data)
    report = qdpx_import(data=data, filename="study.qdpx", user=user)
    copy = Project.objects.get(pk=report["project_id"])
    values = {
        (v.transcript.name, v.attribute.name, v.attribute.type, v.value)
        for v in copy.transcripts.get(name="FG1").group_values.select_related("attribute")
    }
    assert values == {("FG1", "Recruitment route", "text", "GP practice"),
                      ("FG1", "Invited", "number", "12")}  # fmt: skip
    assert not any("is not imported" in line for line in report["notes"])
