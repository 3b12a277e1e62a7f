"""Stable GUIDs: a GUID kept from an import wins; otherwise uuid5 of the project's namespace."""

from __future__ import annotations

import uuid

from transcripts.models import Project

from ..models import ExchangeGuid


def project_namespace(project: Project) -> uuid.UUID:
    row, _ = ExchangeGuid.objects.get_or_create(
        project=project, kind="project", object_id=project.pk, defaults={"guid": uuid.uuid4()}
    )
    return row.guid


class Guids:
    """All of a project's kept GUIDs, loaded once (one query)."""

    def __init__(self, project: Project) -> None:
        self.namespace = project_namespace(project)
        self.kept: dict[tuple[str, int], uuid.UUID] = {
            (kind, object_id): guid
            for kind, object_id, guid in ExchangeGuid.objects.filter(project=project)
            .exclude(kind="project")
            .values_list("kind", "object_id", "guid")
        }
        self._derived: dict[tuple[str, object], str] = {}

    def of(self, kind: str, key: object, kept_id: int | None = None) -> str:
        """The GUID of object ``key`` (a primary key, or any stable string) of ``kind``.
        ``kept_id`` looks up a kept GUID for a key that is not a primary key (the group
        variables are kept by their position)."""
        if kept_id is not None and (kind, kept_id) in self.kept:
            return str(self.kept[(kind, kept_id)])
        if isinstance(key, int) and (kind, key) in self.kept:
            return str(self.kept[(kind, key)])
        if (kind, key) not in self._derived:
            self._derived[(kind, key)] = str(uuid.uuid5(self.namespace, f"{kind}:{key}"))
        return self._derived[(kind, key)]


def guids_keep(*, project: Project, rows: list[tuple[str, int, str]]) -> None:
    """Remember imported GUIDs (``kind``, object id, guid) for later exports."""
    ExchangeGuid.objects.bulk_create(
        [
            ExchangeGuid(project=project, kind=kind, object_id=object_id, guid=uuid.UUID(guid))
            for kind, object_id, guid in rows
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )


# The agreed (adjudicated) set travels as the codings of one REFI user with this id and name,
# so peers list them under a coder called "Agreed set (adjudicated)" and a re-import knows them.
AGREED_USER_ID = "agreed-set"
AGREED_USER_NAME = "Agreed set (adjudicated)"
AGREED_USER_KEY = 0  # the key its derived GUID is made from (no account has id 0)
