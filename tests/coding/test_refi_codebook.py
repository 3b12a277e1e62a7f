"""Merging REFI-QDA codebooks (.qdc) into a framework."""

from __future__ import annotations

import pytest

from coding.models import AuditEvent, Code
from coding.refi.codebook import codebook_import
from coding.refi.services import codebook_qdc_bytes
from coding.refi.xml import RefiError
from coding.services.codes import code_create
from tests.coding.refi_support import assert_valid_qdc, sample

pytestmark = pytest.mark.django_db

TAGUETTE = """<?xml version='1.0' encoding='utf-8'?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taguette 1.4.1">
  <Codes>
    <Code guid="0b5e3c2e-8d8c-4b8e-9f9a-1d2c3b4a5f60" name="Trust" isCodable="true" color="#AA0000">
      <Description>Who people trust.</Description>
    </Code>
    <Code guid="0b5e3c2e-8d8c-4b8e-9f9a-1d2c3b4a5f61" name="Consent" isCodable="true"/>
  </Codes>
  <Sets/>
</CodeBook>
"""


def test_a_taguette_codebook_with_an_empty_sets_is_accepted_and_merged(project, user):
    kept = code_create(project=project, user=user, name="trust", definition="")
    report = codebook_import(project=project, user=user, data=TAGUETTE.encode(), filename="t.qdc")
    assert (report["added"], report["updated"]) == (1, 1)
    kept.refresh_from_db()
    assert (kept.definition, kept.colour) == ("Who people trust.", "#aa0000")
    assert sorted(Code.objects.values_list("name", flat=True)) == ["Consent", "trust"]
    assert AuditEvent.objects.filter(action="update", object_type="code").count() == 1
    assert "empty <Sets/>" in report["notes"][0]


def test_importing_our_own_codebook_twice_changes_nothing_the_second_time(project, user):
    theme = code_create(project=project, user=user, name="Trust", inclusion="Named bodies.")
    code_create(project=project, user=user, name="Letters", parent=theme)
    data = codebook_qdc_bytes(project=project)
    assert_valid_qdc(data)
    from tests.factories import ProjectFactory

    other = ProjectFactory()
    first = codebook_import(project=other, user=user, data=data, filename="f.qdc")
    second = codebook_import(project=other, user=user, data=data, filename="f.qdc")
    assert (first["added"], second["added"], second["unchanged"]) == (2, 0, 2)
    copy = Code.objects.get(project=other, name="Trust")
    assert copy.inclusion == "Named bodies."
    assert [c.name for c in copy.children.all()] == ["Letters"]


def test_a_qdpx_codebook_is_accepted_too(project, user):
    data = sample("nvivo-mac-15_nvivo_project.qdpx")
    report = codebook_import(project=project, user=user, data=data, filename="n.qdpx")
    assert report["added"] == 262
    assert Code.objects.filter(project=project, parent=None).count() == 3


def test_a_codebook_that_breaks_the_schema_is_refused_and_nothing_changes(project, user):
    broken = TAGUETTE.replace(' isCodable="true"/>', "/>")
    with pytest.raises(RefiError, match="codebook schema"):
        codebook_import(project=project, user=user, data=broken.encode(), filename="b.qdc")
    assert not Code.objects.exists()


def test_a_file_that_is_not_a_codebook_is_refused(project, user):
    with pytest.raises(RefiError, match="not well-formed"):
        codebook_import(project=project, user=user, data=b"name,parent\n", filename="x.qdc")
