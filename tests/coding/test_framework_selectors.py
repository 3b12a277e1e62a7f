from __future__ import annotations

import pytest

from coding.selectors.codes import framework_table
from tests.factories import CodeFactory, CodingFactory, TranscriptFactory

pytestmark = pytest.mark.django_db


def test_framework_table_marks_the_first_and_last_of_each_set_of_siblings(project):
    a = CodeFactory(project=project, name="A", order=0)
    CodeFactory(project=project, name="A1", parent=a, order=0)
    CodeFactory(project=project, name="A2", parent=a, order=1)
    CodeFactory(project=project, name="B", order=1)
    rows = framework_table(project=project).rows
    assert [(r.code.name, r.depth, r.is_first, r.is_last) for r in rows] == [
        ("A", 0, True, False),
        ("A1", 1, True, False),
        ("A2", 1, False, True),
        ("B", 0, False, True),
    ]


def test_framework_table_ignores_codings_of_other_projects(project, user):
    code = CodeFactory(project=project, name="A")
    transcript = TranscriptFactory(project=project)
    CodingFactory(transcript=transcript, code=code, coder=user)
    CodingFactory()  # another project's coding
    table = framework_table(project=project)
    assert (table.rows[0].counts, table.total) == ([1], 1)
