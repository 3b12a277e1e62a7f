"""spaCy preprocessing, loaded lazily once per process (in the worker, never on a page load).

The default pipeline is ``spacy.blank("en")`` with a sentencizer and the lookup lemmatizer whose
tables come from the ``spacy-lookups-data`` package: no model download. When a full English
pipeline (``en_core_web_sm`` or larger) is installed, it is used instead, which adds noun chunks
for the labels of candidate themes.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

FULL_PIPELINES = ("en_core_web_lg", "en_core_web_md", "en_core_web_sm")

_lock = threading.Lock()
_nlp: Any = None


def pipeline() -> Any:
    """The process-wide spaCy pipeline, built on first use."""
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                _nlp = _build()
    return _nlp


def has_parser() -> bool:
    return "parser" in pipeline().pipe_names


def _build() -> Any:
    import spacy

    for name in FULL_PIPELINES:
        try:
            nlp = spacy.load(name, exclude=["ner"])
        except OSError:
            continue
        logger.info("theme engine uses the spaCy pipeline %s", name)
        return nlp
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    spacy_logger = logging.getLogger("spacy")
    level = spacy_logger.level
    spacy_logger.setLevel(logging.WARNING)  # initialize() logs its progress at INFO
    try:
        nlp.initialize()
    finally:
        spacy_logger.setLevel(level)
    return nlp


# spaCy's stop list removes words that carry meaning in this field ("knowing who can see it",
# "nothing would reassure me", "my own records", "name and address", "how it is used"): they are
# content words here. The rest of the list (the, of, and, ...) stays out.
MEANINGFUL = frozenset(
    [
        "see",
        "seen",
        "can",
        "cannot",
        "who",
        "whom",
        "own",
        "name",
        "not",
        "no",
        "nothing",
        "never",
        "none",
        "nobody",
        "without",
        "against",
        "used",
        "using",
        "keep",
        "give",
        "show",
        "call",
        "take",
        "make",
        "made",
        "everyone",
        "anyone",
        "someone",
    ]
)
NEGATIONS = {"n't": "not", "nt": "not"}


def is_content(token: Any) -> bool:
    """A word the engine reads: alphabetic, not a stop word unless it carries meaning here."""
    lower = token.lower_
    if lower in NEGATIONS:
        return True
    if not token.is_alpha or len(token.text) < 2:
        return False
    return lower in MEANINGFUL or not token.is_stop


# Lookup lemmas that read wrongly to analysts when shown as reasons ("data" is a mass noun in
# this field). Display only: the features keep spaCy's lemma.
DISPLAY_LEMMAS = {"datum": "data"}


def _lookup_table(nlp: Any) -> Any:
    """The lookup lemmatizer's table, queried with the lower-case form ("Hacking" -> "hack");
    None for a trained pipeline, whose rule lemmatizer uses the part of speech instead."""
    if "lemmatizer" not in nlp.pipe_names:
        return None
    lemmatizer = nlp.get_pipe("lemmatizer")
    if getattr(lemmatizer, "mode", "") != "lookup":
        return None
    return lemmatizer.lookups.get_table("lemma_lookup")


@dataclass
class Analysed:
    """What the engine needs from one text: content lemmas, sentence spans, noun phrases."""

    lemmas: list[str]
    sentences: list[tuple[int, int]] = field(default_factory=list)
    noun_chunks: list[str] = field(default_factory=list)  # lower-case, as written
    surfaces: list[str] = field(default_factory=list)  # each lemma's word as written, lower-case
    # Pairs of content words that stand next to each other in the text (no word between them):
    # (lemma pair joined by "_", the pair as written). "out of the blue" gives none.
    bigrams: list[tuple[str, str]] = field(default_factory=list)

    @property
    def lemma_text(self) -> str:
        return " ".join(self.lemmas)


def analyse(texts: list[str], *, sentences: bool = False, batch_size: int = 256) -> list[Analysed]:
    """Lemmatise ``texts``: lower-case lemmas of content words (no stop words, punctuation or
    numbers). With ``sentences``, also the sentence spans as code-point offsets into each text."""
    nlp = pipeline()
    with_chunks = "parser" in nlp.pipe_names
    lookup = _lookup_table(nlp)
    out: list[Analysed] = []
    for doc in nlp.pipe((text or "" for text in texts), batch_size=batch_size):
        content = [t for t in doc if is_content(t)]
        lemmas = [_lemma(token, lookup) for token in content]
        item = Analysed(lemmas=lemmas, surfaces=[token.lower_ for token in content])
        for (a, la), (b, lb) in zip(
            zip(content, lemmas, strict=True),
            list(zip(content, lemmas, strict=True))[1:],
            strict=False,
        ):
            if b.i == a.i + 1 and a.is_alpha and b.is_alpha:
                item.bigrams.append((f"{la}_{lb}", f"{a.lower_} {b.lower_}"))
        if sentences:
            item.sentences = [(sent.start_char, sent.end_char) for sent in doc.sents]
        if with_chunks:
            item.noun_chunks = _noun_chunks(doc)
        out.append(item)
    return out


def _lemma(token: Any, lookup: Any) -> str:
    if token.lower_ in NEGATIONS:
        return "not"
    if lookup is not None:
        return lookup.get(token.lower_, token.lower_)
    return (token.lemma_ or token.text).lower()


def _noun_chunks(doc: Any) -> list[str]:
    """Noun phrases as written (lower case), without their stop words."""
    chunks = (
        " ".join(t.lower_ for t in chunk if not t.is_stop and t.is_alpha)
        for chunk in doc.noun_chunks
    )
    return [chunk for chunk in chunks if chunk]
