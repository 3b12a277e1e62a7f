from __future__ import annotations

import pytest

from coding.selectors.codes import code_descendant_ids, code_path, code_tree, code_tree_flat
from tests.factories import CodeFactory

pytestmark = pytest.mark.django_db


def test_code_tree_nests_sub_codes_under_their_theme_in_order(project):
    safety = CodeFactory(project=project, name="Safety", order=1)
    sharing = CodeFactory(project=project, name="Sharing", order=0)
    hacking = CodeFactory(project=project, name="Hacking", parent=safety, order=0)
    errors = CodeFactory(project=project, name="Human error", parent=safety, order=1)
    tree = code_tree(project=project)
    assert [node.code for node in tree] == [sharing, safety]
    assert [node.code for node in tree[1].children] == [hacking, errors]
    flat = code_tree_flat(project=project)
    assert [(node.code.name, node.depth) for node in flat] == [
        ("Sharing", 0),
        ("Safety", 0),
        ("Hacking", 1),
        ("Human error", 1),
    ]
    by_id = {node.code.pk: node.code for node in flat}
    assert code_path(code=errors, by_id=by_id) == "Safety > Human error"
    assert sorted(code_descendant_ids(code=safety)) == sorted([safety.pk, hacking.pk, errors.pk])
    assert code_descendant_ids(code=sharing) == [sharing.pk]
