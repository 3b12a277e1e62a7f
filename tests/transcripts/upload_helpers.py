from __future__ import annotations

import io

from django.urls import reverse

from transcripts.models import ImportBatch
from transcripts.views.uploads import _review_forms


def named(name: str, data: bytes | str) -> io.BytesIO:
    buffer = io.BytesIO(data.encode() if isinstance(data, str) else data)
    buffer.name = name
    return buffer


def upload(client, project, files: dict[str, bytes | str], capture) -> ImportBatch:
    with capture(execute=True):
        response = client.post(
            reverse("transcripts:transcript_upload", args=[project.pk]),
            {"files": [named(n, d) for n, d in files.items()]},
        )
    assert response.status_code == 302, response.content.decode()[-2000:]
    return project.import_batches.latest("created_at")


def review_data(batch: ImportBatch, *, action: str = "import", **changes) -> dict:
    """What the review form posts when the analyst leaves every proposal as it is;
    ``changes`` override fields by their full name (``sp-0-action``, ``item-3-site``)."""
    forms = _review_forms(batch)
    data: dict = {"action": action}
    for form in [
        *forms["item_forms"].values(),
        *forms["survey_forms"].values(),
        *forms["speaker_forms"],
    ]:
        for name in form.fields:
            value = form.initial.get(name)
            key = f"{form.prefix}-{name}"
            if name == "include":
                if value:
                    data[key] = "on"
            elif value is not None:
                data[key] = value
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def speaker_prefix(batch: ImportBatch, label: str) -> str:
    forms = _review_forms(batch)["speaker_forms"]
    return next(f.prefix for f in forms if f.initial["label"] == label)


def confirm(client, batch: ImportBatch, capture, **changes):
    with capture(execute=True):
        response = client.post(
            reverse("transcripts:import_batch_review", args=[batch.project_id, batch.pk]),
            review_data(batch, **changes),
        )
    assert response.status_code == 302, response.content.decode()[-3000:]
    batch.refresh_from_db()
    return batch
