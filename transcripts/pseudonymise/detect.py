"""Candidate identifiers in a passage: PERSON, PLACE, ORG, CONTACT, ID, DATE.

Django-free. Offsets are code points into the text, end exclusive. Four kinds of evidence, in
order of how sure they are:

1. **Patterns** for what has a shape: e-mail addresses (also spoken, "kev dot lumb at example
   dot com"), UK phone numbers, NHS numbers with their Modulus 11 check digit, National
   Insurance numbers, reference numbers (letters and digits, "CMP-20417"), full and partial UK
   postcodes, dates of birth and day-precise dates.
2. **What the project knows**: participants' labels and names typed at import, the facilitator.
3. **Context**: titles (Dr, Mrs, nurse), kinship words ("my daughter Sophie"), speaker labels,
   organisation shapes ("... Medical Practice", "St ...'s Hospital", "worked at ..."), street
   shapes ("27 Gibbet Street", "mill lane"), prepositions before places ("down to Reading").
4. **Gazetteers** (``gazetteers``): first names, surnames and UK places, each checked against
   English words so "Bill" and "Hope" need context while "Sophie" does not; and a capitalised
   word that is neither an English word nor at the start of a sentence.

National bodies, brands, systems and conditions named after people (the NHS, DHSC, Google,
Parkinson's) are never identifiers. Overlapping candidates are resolved by the longest span;
the others are kept as ``alternatives`` for the review.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .gazetteers import NOT_PLACES, english_words, fold, person_names, uk_places

TYPES = ("PERSON", "PLACE", "ORG", "CONTACT", "ID", "DATE")
# When two candidates cover the same span, the surer type wins.
_PRIORITY = {"CONTACT": 6, "ID": 5, "DATE": 4, "ORG": 3, "PLACE": 2, "PERSON": 1}


@dataclass
class Candidate:
    start: int
    end: int
    type: str
    text: str
    rule: str
    alternatives: list[tuple[int, int, str]] = field(default_factory=list)


# --- patterns ------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?<![.])", re.UNICODE)
_SPOKEN_EMAIL = re.compile(
    r"\b[a-z0-9]+(?:\s+(?:dot|underscore|dash|hyphen)\s+[a-z0-9]+)*\s+at\s+[a-z0-9-]+"
    r"(?:\s+dot\s+[a-z]{2,})+\b",
    re.IGNORECASE,
)
_PHONE = re.compile(
    r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|\(?0)(?:\d[\s-]?){8,10}\d\)?(?![\d])"
    r"|(?<![\w+])\(0\d{2,4}\)\s?\d{3,4}[\s-]?\d{3,4}(?!\d)"
)
_NHS = re.compile(r"(?<!\d)(\d{3})[\s-]?(\d{3})[\s-]?(\d{4})(?!\d)")
_NI = re.compile(r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b")
_FLAT = re.compile(r"\b(?:Flat|Apartment|Apt|Unit)\s+\d+[A-Z]?\b")
_REFERENCE = re.compile(
    r"\b(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z][A-Z0-9]{0,5}[-/][A-Z0-9]{3,}(?:[-/][A-Z0-9]+)*\b"
    r"|\b[A-Z]{1,4}\d{5,}\b"
)
_NUMBER_AFTER_LABEL = re.compile(
    r"\b(?:number|no\.?|ref(?:erence)?|case|id|account|patient|hospital|mrn)\s*(?:is|was|:)?"
    r"\s*(?:number\s*)?(?:is\s*)?,?\s*(\d[\d\s-]{4,}\d)(?!\d)",
    re.IGNORECASE,
)
_POSTCODE = re.compile(
    r"\b([A-Z]{1,2}\d[A-Z\d]?)\s?(\d[A-Z]{2})\b|\b([A-Z]{1,2}\d{1,2}[A-Z]?)\b(?=[\s,.;)]|$)"
)
# Postcode areas of the UK (the letters before the first digit).
_POSTCODE_AREAS = frozenset(
    [
        "AB",
        "AL",
        "B",
        "BA",
        "BB",
        "BD",
        "BH",
        "BL",
        "BN",
        "BR",
        "BS",
        "BT",
        "CA",
        "CB",
        "CF",
        "CH",
        "CM",
        "CO",
        "CR",
        "CT",
        "CV",
        "CW",
        "DA",
        "DD",
        "DE",
        "DG",
        "DH",
        "DL",
        "DN",
        "DT",
        "DY",
        "E",
        "EC",
        "EH",
        "EN",
        "EX",
        "FK",
        "FY",
        "G",
        "GL",
        "GU",
        "GY",
        "HA",
        "HD",
        "HG",
        "HP",
        "HR",
        "HS",
        "HU",
        "HX",
        "IG",
        "IM",
        "IP",
        "IV",
        "JE",
        "KA",
        "KT",
        "KW",
        "KY",
        "L",
        "LA",
        "LD",
        "LE",
        "LL",
        "LN",
        "LS",
        "LU",
        "M",
        "ME",
        "MK",
        "ML",
        "N",
        "NE",
        "NG",
        "NN",
        "NP",
        "NR",
        "NW",
        "OL",
        "OX",
        "PA",
        "PE",
        "PH",
        "PL",
        "PO",
        "PR",
        "RG",
        "RH",
        "RM",
        "S",
        "SA",
        "SE",
        "SG",
        "SK",
        "SL",
        "SM",
        "SN",
        "SO",
        "SP",
        "SR",
        "SS",
        "ST",
        "SW",
        "SY",
        "TA",
        "TD",
        "TF",
        "TN",
        "TQ",
        "TR",
        "TS",
        "TW",
        "UB",
        "W",
        "WA",
        "WC",
        "WD",
        "WF",
        "WN",
        "WR",
        "WS",
        "WV",
        "YO",
        "ZE",
    ]
)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE_PATTERNS = [
    re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b"),
    re.compile(
        rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\b(?:,?\s+\d{{4}})?",
        re.IGNORECASE,
    ),
    re.compile(rf"\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?", re.IGNORECASE),
]
_BIRTH_CONTEXT = re.compile(
    r"\b(?:born|birth|dob|d\.o\.b\.?|birthday)\b[^.!?\n]{0,25}?"
    rf"((?:(?:{_MONTHS})\s+)?\d{{4}})\b",
    re.IGNORECASE,
)


def nhs_number_valid(digits: str) -> bool:
    """The Modulus 11 check of an NHS number."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


# --- words ---------------------------------------------------------------------------------

_WORD = re.compile(r"[A-Z]\.(?=\s)|[^\W\d_](?:[\w'’\-]*[^\W_])?", re.UNICODE)

TITLES = frozenset(
    [
        "dr",
        "doctor",
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "prof",
        "professor",
        "nurse",
        "sister",
        "father",
        "rev",
        "reverend",
        "sir",
        "dame",
        "lady",
        "lord",
        "nan",
    ]
)
KINSHIP = frozenset(
    [
        "daughter",
        "son",
        "wife",
        "husband",
        "partner",
        "mum",
        "mom",
        "mam",
        "mother",
        "dad",
        "father",
        "sister",
        "brother",
        "nan",
        "nana",
        "gran",
        "granny",
        "grandma",
        "grandad",
        "grandpa",
        "grandmother",
        "grandfather",
        "aunt",
        "auntie",
        "uncle",
        "niece",
        "nephew",
        "cousin",
        "friend",
        "neighbour",
        "neighbor",
        "carer",
        "boyfriend",
        "girlfriend",
        "fiancé",
        "fiance",
        "stepson",
        "stepdaughter",
        "grandson",
        "granddaughter",
        "colleague",
        "boss",
    ]
)
GENERIC_LABELS = re.compile(
    r"^(?:facilitator|moderator|interviewer|researcher|chair|note[- ]?taker|observer|"
    r"respondent|participant|speaker|p|fg|group|all|everyone|several|unknown|inaudible)"
    r"\s*\d*$",
    re.IGNORECASE,
)
ORG_WORDS = frozenset(
    [
        "practice",
        "surgery",
        "hospital",
        "hospice",
        "pharmacy",
        "chemist",
        "chemists",
        "school",
        "academy",
        "college",
        "university",
        "clinic",
        "trust",
        "council",
        "church",
        "chapel",
        "mosque",
        "temple",
        "gurdwara",
        "synagogue",
        "club",
        "centre",
        "center",
        "primary",
        "infirmary",
        "partnership",
        "institute",
        "association",
        "society",
        "library",
        "museum",
        "theatre",
        "nursery",
    ]
)
ORG_PAIRS = (("health", "centre"), ("medical", "centre"), ("care", "home"), ("nursing", "home"))
ORG_CONTEXT = re.compile(
    r"\b(?:work(?:ed|s|ing)?\s+(?:at|for)|employed\s+(?:at|by)|care\s+home,?|nursing\s+home,?|"
    r"school,?|practice,?|surgery,?|pharmacy,?|hospital,?|firm,?|company,?)\s*$",
    re.IGNORECASE,
)
STREET_WORDS = frozenset(
    [
        "street",
        "road",
        "lane",
        "avenue",
        "drive",
        "crescent",
        "terrace",
        "grove",
        "gardens",
        "mews",
        "parade",
        "boulevard",
        "rd",
        "st",
        "ave",
    ]
)
STREET_WORDS_CAPITALISED = frozenset(
    [
        "close",
        "way",
        "place",
        "court",
        "row",
        "walk",
        "square",
        "hill",
        "park",
        "green",
    ]
)
HOUSE_WORDS = frozenset(
    [
        "cottage",
        "house",
        "farm",
        "lodge",
        "barn",
        "hall",
        "manor",
        "villa",
        "bungalow",
    ]
)
PLACE_PREPOSITIONS = frozenset(
    ["in", "at", "from", "to", "near", "around", "outside", "towards", "via"]
)
# National bodies, brands, systems and conditions: never identifiers (the decoy rules).
NATIONAL = frozenset(
    fold(w)
    for w in (
        "NHS", "DHSC", "CQC", "ICB", "ICBs", "PCN", "PCNs", "GDPR", "Covid", "COVID-19", "Covid-19",
        "WhatsApp", "Google", "Facebook", "Twitter", "Instagram", "TikTok", "Amazon",
        "Microsoft", "Apple", "Palantir", "Government", "Governments", "Parliament", "Macmillan",
        "Healthwatch", "App", "Parkinson", "Parkinson's", "Alzheimer", "Alzheimer's", "Crohn",
        "Crohn's", "A&E", "GP", "GPs", "Digital", "England", "Data", "Opt-Out", "Opt", "Out",
        "Trust", "Council", "Police", "Brexit", "Cancer", "Research", "UK", "Boots", "Tesco",
        "Asda", "Sainsbury's", "Lloyds", "Superdrug", "BBC", "ITV", "Zoom", "Teams", "Bank",
        "Patients", "Association", "Department", "Health", "Social", "Care", "Secretary",
        "Minister", "Prime", "Act", "Protection", "National", "Opt-out", "Christmas", "Easter",
        "Ramadan", "Diwali", "Eid", "Mr", "Mrs", "Ms", "Dr", "OK", "Okay", "I", "FG", "Q",
        "Yes", "No", "Oh", "Um", "Er", "Erm", "Hmm", "Yeah", "Right", "Well", "So", "And",
        "But", "Also", "Thanks", "Thank", "Hello", "Hi", "Sorry", "Please", "Monday", "Tuesday",
        "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
        "March", "April", "May", "June", "July", "August", "September", "October", "November",
        "December", "Pharmacy2U", "Babylon", "Ask", "Mum", "Dad", "Nan", "Gran", "God", "Lord",
        "English", "British", "Scottish", "Welsh", "Irish", "European", "Asian", "Black",
        "White", "Muslim", "Christian", "Jewish", "Hindu", "Sikh", "Polish", "Urdu", "Punjabi",
    )
)  # fmt: skip


class _Token:
    """A word of the text with its offsets; its lower-case form, its form without a
    possessive 's, and whether it is capitalised, computed once."""

    __slots__ = ("start", "end", "text", "lower", "bare", "capitalised")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start, self.end, self.text = start, end, text
        self.lower = text.lower()
        self.bare = text
        for suffix in ("'s", "’s", "'", "’"):
            if text.endswith(suffix) and len(text) > len(suffix) + 1:
                self.bare = text[: -len(suffix)]
                break
        self.capitalised = text[:1].isupper()


@lru_cache(maxsize=8)
def _tokens(text: str) -> tuple[_Token, ...]:
    """The words of ``text`` (the same tuple for the same text: detection and the look-up of
    known identifiers read a transcript once)."""
    return tuple(_Token(m.start(), m.end(), m.group()) for m in _WORD.finditer(text))


def _sentence_start(text: str, token: _Token) -> bool:
    before = text[: token.start].rstrip(" \t\"“‘'(")
    return not before or before[-1] in ".!?\n:…" or before.endswith(("--", "—"))


class Detector:
    """Detection with the project's known names (participants, the facilitator)."""

    def __init__(
        self,
        *,
        known_people: Iterable[str] = (),
        known_places: Iterable[str] = (),
        ner: NER | None | bool = True,
    ):
        self.first, self.last = person_names()
        self.places = uk_places()
        self.words = english_words()
        self.known_people = {fold(n) for n in known_people if n and not GENERIC_LABELS.match(n)}
        self.known_places = {fold(n) for n in known_places if n}
        self.max_place_words = 4
        # spaCy NER when a trained English pipeline is installed (True: look for one).
        self.ner: NER | None = spacy_ner() if ner is True else (ner or None)
        # First words of the places with more than one word ("hebden" of "hebden bridge"):
        # only those start a longer look-up.
        self.place_heads = {
            name.split()[0] for name in self.places | self.known_places if " " in name
        }

    # -- public ------------------------------------------------------------------------------

    def detect(self, text: str) -> list[Candidate]:
        found: list[Candidate] = []
        found += self._patterns(text)
        tokens = _tokens(text)
        found += self._organisations(text, tokens)
        found += self._streets_and_houses(text, tokens)
        found += self._places(text, tokens)
        found += self._people(text, tokens)
        found += self._names_in_addresses(text, found)
        if self.ner is not None:
            found += self._from_ner(text)
        return resolve(found)

    def _from_ner(self, text: str) -> list[Candidate]:
        """Entities of a trained pipeline, under the same decoy rules."""
        out = []
        assert self.ner is not None
        for start, end, label in self.ner(text):
            kind = _NER_TYPES.get(label)
            words = text[start:end]
            if kind is None or fold(words) in NATIONAL or fold(words) in NOT_PLACES:
                continue
            if kind == "DATE" and not re.search(r"\d", words):
                continue  # "Monday", "last year": not a date that identifies
            if any(fold(w) in NATIONAL for w in words.split()[:1]):
                continue  # "NHS England", "the Government"
            out.append(Candidate(start, end, kind, words, "spaCy NER"))
        return out

    def _names_in_addresses(self, text: str, found: list[Candidate]) -> list[Candidate]:
        """An e-mail address gives away its owner's name: its parts ("kev" of "kev dot lumb at
        example dot com") are flagged where they recur in the passage."""
        out: list[Candidate] = []
        for candidate in found:
            if candidate.type != "CONTACT" or not re.search(r"@|\bat\b", candidate.text):
                continue
            local = re.split(r"@|\s+at\s+", candidate.text)[0]
            for part in re.split(r"[._\-+]|\s+(?:dot|underscore|dash|hyphen)\s+", local):
                if len(part) < 3 or not part.isalpha() or self.is_word(part.lower()):
                    continue
                for m in re.finditer(rf"\b{re.escape(part)}\b", text, re.IGNORECASE):
                    if not candidate.start <= m.start() < candidate.end:
                        out.append(
                            Candidate(m.start(), m.end(), "PERSON", m.group(), "name in an address")
                        )
        return out

    # -- patterns ----------------------------------------------------------------------------

    def _patterns(self, text: str) -> list[Candidate]:
        out: list[Candidate] = []

        def add(start: int, end: int, kind: str, rule: str) -> None:
            out.append(Candidate(start, end, kind, text[start:end], rule))

        for m in _EMAIL.finditer(text):
            add(m.start(), m.end(), "CONTACT", "email")
        for m in _SPOKEN_EMAIL.finditer(text):
            add(m.start(), m.end(), "CONTACT", "spoken email")
        for m in _NHS.finditer(text):
            if nhs_number_valid("".join(m.groups())):
                add(m.start(), m.end(), "ID", "NHS number")
        for m in _PHONE.finditer(text):
            digits = re.sub(r"\D", "", m.group())
            if len(digits) < 10 or digits.startswith(("111", "999")):
                continue
            if nhs_number_valid(digits[-10:]) and not m.group().lstrip().startswith(
                ("0", "+", "(")
            ):
                continue
            add(m.start(), m.end(), "CONTACT", "phone")
        return out + self._ids_places_dates(text)

    def _ids_places_dates(self, text: str) -> list[Candidate]:
        out: list[Candidate] = []

        def add(start: int, end: int, kind: str, rule: str) -> None:
            out.append(Candidate(start, end, kind, text[start:end], rule))

        for m in _FLAT.finditer(text):
            add(m.start(), m.end(), "PLACE", "flat")
        for m in _NI.finditer(text):
            add(m.start(), m.end(), "ID", "National Insurance number")
        for m in _REFERENCE.finditer(text):
            if not _POSTCODE.fullmatch(m.group()):
                add(m.start(), m.end(), "ID", "reference")
        for m in _NUMBER_AFTER_LABEL.finditer(text):
            add(m.start(1), m.end(1), "ID", "number")
        for m in _POSTCODE.finditer(text):
            area = re.match(r"[A-Z]+", m.group(1) or m.group(3) or "")
            if area is None or area.group() not in _POSTCODE_AREAS:
                continue
            if m.group(3) and (len(m.group(3)) < 3 or m.group(3) in {"A1", "M1", "M4", "M6"}):
                continue  # "B1" is a vitamin, "M6" a motorway: partial codes need 3+ characters
            add(m.start(), m.end(), "PLACE", "postcode")
        for pattern in _DATE_PATTERNS:
            for m in pattern.finditer(text):
                add(m.start(), m.end(), "DATE", "date")
        for m in _BIRTH_CONTEXT.finditer(text):
            add(m.start(1), m.end(1), "DATE", "date of birth")
        return out

    # -- organisations -----------------------------------------------------------------------

    def is_word(self, word: str) -> bool:
        """An English word, also before an apostrophe ("I'm", "they'd")."""
        return word in self.words or re.split(r"['’]", word)[0] in self.words

    def _name_like(self, token: _Token) -> bool:
        return token.capitalised and fold(token.bare) not in NATIONAL

    def _organisations(self, text: str, tokens: Sequence[_Token]) -> list[Candidate]:
        """A run of capitalised words ending in an organisation word ("Riverside Medical
        Practice", "St Aidan's Hospital", "Calder Valley NHS Trust"); or named where an
        organisation is expected ("worked at Pennine Print", "care home, Heathfield House")."""
        out: list[Candidate] = []
        for i, token in enumerate(tokens):
            word = token.bare.lower()
            if not token.capitalised or word not in ORG_WORDS and not self._org_pair(tokens, i):
                continue
            j = i - 1
            while j >= 0 and self._joins_org(text, tokens, j):
                j -= 1
            start = j + 1
            while start < i and fold(tokens[start].bare) in NATIONAL - {"nhs"}:
                start += 1
            if start >= i:
                continue
            if start == i - 1 and tokens[start].lower in {"the", "a", "my", "our"}:
                continue
            end = token.end
            out.append(
                Candidate(
                    tokens[start].start,
                    end,
                    "ORG",
                    text[tokens[start].start : end],
                    "organisation shape",
                )
            )
        return out + self._named_as_organisations(text, tokens)

    def _named_as_organisations(self, text: str, tokens: Sequence[_Token]) -> list[Candidate]:
        out: list[Candidate] = []
        for i, token in enumerate(tokens):
            if not self._name_like(token) or (i and self._name_like(tokens[i - 1])):
                continue
            if not ORG_CONTEXT.search(text[max(0, token.start - 30) : token.start]):
                continue
            j = i
            while (
                j + 1 < len(tokens)
                and self._name_like(tokens[j + 1])
                and _adjacent(text, tokens[j], tokens[j + 1])
            ):
                j += 1
            if fold(" ".join(t.bare for t in tokens[i : j + 1])) in self.places:
                continue
            out.append(
                Candidate(
                    token.start,
                    tokens[j].end,
                    "ORG",
                    text[token.start : tokens[j].end],
                    "named as an organisation",
                )
            )
        return out

    def _org_pair(self, tokens: Sequence[_Token], i: int) -> bool:
        return (
            i > 0
            and (tokens[i - 1].lower, tokens[i].bare.lower()) in ORG_PAIRS
            and tokens[i - 1].capitalised
        )

    def _joins_org(self, text: str, tokens: Sequence[_Token], j: int) -> bool:
        token = tokens[j]
        if not _adjacent(text, token, tokens[j + 1]):
            return False
        if token.capitalised and token.lower not in {"the", "my", "our", "a", "at", "in", "to"}:
            return not _sentence_start(text, token) or fold(token.bare) not in self.words
        return token.lower in {"of", "and", "&"} and j > 0 and tokens[j - 1].capitalised

    # -- streets, house names, places -------------------------------------------------------

    def _streets_and_houses(self, text: str, tokens: Sequence[_Token]) -> list[Candidate]:
        """Streets ("27 Gibbet Street", "mill lane") and house names ("Beech Cottage"; an ORG
        where an organisation is expected: "care home, Heathfield House")."""
        out: list[Candidate] = []
        for i, token in enumerate(tokens):
            word = token.bare.lower()
            if not self._street_here(text, tokens, i, word):
                continue
            prev = tokens[i - 1]
            start = prev.start
            before = tokens[i - 2] if i >= 2 else None
            if (
                before is not None
                and before.capitalised
                and _adjacent(text, before, prev)
                and not _sentence_start(text, before)
                and before.lower not in _STOP
            ):
                start = before.start
            number = re.search(r"(\d+[A-Za-z]?)\s+$", text[max(0, start - 8) : start])
            if number and word not in HOUSE_WORDS:
                start -= len(number.group())
            kind = "PLACE"
            if word in HOUSE_WORDS and ORG_CONTEXT.search(text[max(0, start - 30) : start]):
                kind = "ORG"
            end = token.start + len(token.bare)
            out.append(Candidate(start, end, kind, text[start:end], "street or house"))
        return out

    def _street_here(self, text: str, tokens: Sequence[_Token], i: int, word: str) -> bool:
        """Whether token i ends a street or house name: a street word after a name (any case
        for unambiguous street words, capitalised for "Close", "Way", "Cottage"...)."""
        capital_only = word in STREET_WORDS_CAPITALISED or word in HOUSE_WORDS
        if word not in STREET_WORDS and not capital_only:
            return False
        if i == 0 or not _adjacent(text, tokens[i - 1], tokens[i]):
            return False
        prev = tokens[i - 1]
        if fold(prev.bare) in NATIONAL:
            return False
        if prev.capitalised:
            return True
        if capital_only or word in {"st", "rd"}:
            return False
        return prev.lower not in _STOP and prev.lower not in _PLAIN_BEFORE_STREET

    def _places(self, text: str, tokens: Sequence[_Token]) -> list[Candidate]:
        """Gazetteer places, longest first: capitalised, or lower case when not an English
        word, or one letter away from a place (speech-to-text "todmordon")."""
        out: list[Candidate] = []
        i = 0
        while i < len(tokens):
            matched = 0
            first = fold(tokens[i].text)
            longest = 1 if first not in self.place_heads else self.max_place_words
            for n in range(min(longest, len(tokens) - i), 0, -1):
                run = tokens[i : i + n]
                if any(not _adjacent(text, a, b) for a, b in zip(run, run[1:], strict=False)):
                    continue
                name = fold(" ".join(t.bare if k == n - 1 else t.text for k, t in enumerate(run)))
                if name not in self.places and name not in self.known_places:
                    continue
                if not self._plausible_place(text, run, name):
                    continue
                end = run[-1].start + len(run[-1].bare)
                out.append(Candidate(run[0].start, end, "PLACE", text[run[0].start : end], "place"))
                matched = n
                break
            if not matched:
                token = tokens[i]
                word = fold(token.bare)
                if (
                    len(word) >= 6
                    and not self.is_word(word)
                    and word not in NATIONAL
                    and word not in self.first
                    and word not in self.last
                    and self._near_place(word)
                ):
                    out.append(
                        Candidate(
                            token.start,
                            token.start + len(token.bare),
                            "PLACE",
                            token.bare,
                            "place (spelling)",
                        )
                    )
            i += max(matched, 1)
        return out

    def _plausible_place(self, text: str, run: Sequence[_Token], name: str) -> bool:
        first = run[0]
        words = name.split()
        is_word = len(words) == 1 and (words[0] in self.words or words[0] in self.first)
        before = text[max(0, first.start - 12) : first.start].lower().split()
        after_preposition = bool(before) and before[-1] in PLACE_PREPOSITIONS
        if name in self.known_places:
            return True
        if not first.capitalised:
            return not is_word and len(name) >= 5 and after_preposition
        if fold(first.bare) in NATIONAL:
            return False
        if is_word:
            # "Reading", "Bath", "Hope": a word as well as a place needs a preposition and a
            # capital that is not the sentence's.
            return after_preposition and not _sentence_start(text, first)
        return True

    def _near_place(self, word: str) -> bool:
        if word in self.places:
            return True
        return any(variant in self.places for variant in _edits1(word))

    # -- people ------------------------------------------------------------------------------

    def _people(self, text: str, tokens: Sequence[_Token]) -> list[Candidate]:
        out: list[Candidate] = []
        i = 0
        while i < len(tokens):
            rule = self._person_rule(text, tokens, i)
            if rule is None:
                i += 1
                continue
            j = self._name_run(text, tokens, i, lowercase=not tokens[i].capitalised)
            start, end = tokens[i].start, tokens[j - 1].start + len(tokens[j - 1].bare)
            out.append(Candidate(start, end, "PERSON", text[start:end], rule))
            i = j
        return out

    def _person_rule(self, text: str, tokens: Sequence[_Token], i: int) -> str | None:
        """Why token i starts a person's name, or None."""
        token = tokens[i]
        word = fold(token.bare)
        prev = tokens[i - 1].lower.rstrip(".") if i else ""
        prev2 = tokens[i - 2].lower if i >= 2 else ""
        gate = self._gate(text, token, word, prev)
        if gate is not True:
            return str(gate) or None
        context = self._context_rule(text, tokens, i, word, prev, prev2)
        if context:
            return context
        if word in self.known_people:
            return "participant"
        if token.capitalised:
            return "name" if self._looks_like_name(text, tokens, i, word) else None
        if word in self.first and not self.is_word(word) and len(word) >= 3:
            return "first name"
        return None

    def _context_rule(
        self, text: str, tokens: Sequence[_Token], i: int, word: str, prev: str, prev2: str
    ) -> str | None:
        """A name after a title ("Dr Patel", "dr patel") or a kinship word ("my son Kieran")."""
        token = tokens[i]
        after_title = i > 0 and prev in TITLES and _adjacent(text, tokens[i - 1], token, ". ")
        if after_title and (token.capitalised or not self.is_word(word) or word in self.last):
            return "title"
        if i > 0 and prev in KINSHIP and prev2 in _POSSESSIVES and self._kin_name(text, token):
            return "kinship"
        return None

    def _gate(self, text: str, token: _Token, word: str, prev: str) -> str | bool:
        """True when token may start a name by the later rules; otherwise the rule that
        decides it ("title", "speaker label") or "" for never."""
        if word in NATIONAL and token.capitalised:
            return ""
        if re.fullmatch(r"[A-Z]\.", token.text):
            return "title" if prev in TITLES else ""
        if len(word) < 2 or token.text.isupper() and len(word) <= 3:
            return ""
        label = self._speaker_label(text, token)
        if label is not None:
            return "speaker label" if label else ""
        return True

    def _kin_name(self, text: str, token: _Token) -> bool:
        """A name after "my daughter": capitalised and not a word opening a sentence, or a
        lower-case first name that is no English word."""
        word = fold(token.bare)
        if token.capitalised:
            return word not in _STOP and not (_sentence_start(text, token) and self.is_word(word))
        return word in self.first and not self.is_word(word)

    def _name_run(self, text: str, tokens: Sequence[_Token], i: int, *, lowercase: bool) -> int:
        """The index after a name starting at token i: given name, initials, surname."""
        j = i + 1
        while j < len(tokens) and j - i < 4 and _adjacent(text, tokens[j - 1], tokens[j]):
            if tokens[j - 1].text != tokens[j - 1].bare:
                break  # "Sarah's surgery": the possessive ends the name
            if self._continues_name(tokens[j - 1], tokens[j], lowercase=lowercase):
                j += 1
                continue
            break
        return j

    def _continues_name(self, prev: _Token, nxt: _Token, *, lowercase: bool) -> bool:
        word = fold(nxt.bare)
        if nxt.bare.lower() in ORG_WORDS | STREET_WORDS | HOUSE_WORDS or word in NATIONAL:
            return False
        if not nxt.capitalised:
            return lowercase and word in self.last and not self.is_word(word)
        initial = re.fullmatch(r"[A-Z]\.", prev.text) or re.fullmatch(r"[A-Z]\.", nxt.text)
        # After a first name or an initial, a capitalised word is the surname ("Alan Pickles").
        return bool(
            initial
            or fold(prev.bare) in self.first
            or word in self.last
            or word in self.first
            or not self.is_word(word)
        )

    def _looks_like_name(self, text: str, tokens: Sequence[_Token], i: int, word: str) -> bool:
        token = tokens[i]
        if token.bare.lower() in ORG_WORDS | STREET_WORDS | HOUSE_WORDS or word in NOT_PLACES:
            return False  # nor a county, region or country ("Yorkshire")
        is_word = self.is_word(word)
        initial = _sentence_start(text, token)
        if word in self.first or word in self.last:
            if not is_word:
                return True
            # A name that is also a word ("Bill", "Hope", "Will"): capitalised mid-sentence, or
            # at the start followed by a verb-like word or "next door".
            if not initial:
                return True
            after = text[token.end : token.end + 14].lower()
            return bool(
                re.match(r"\s+(?:next door|said|says|rang|told|from|who|and (?:i|me))\b", after)
            )
        if is_word or initial and len(word) < 4:
            return False
        # Neither a word nor a known name: a capitalised unknown word inside a sentence is most
        # likely a name (at a sentence's start it may be any word).
        return not initial

    def _speaker_label(self, text: str, token: _Token) -> bool | None:
        """True for a name used as a speaker label ("Linda:" at a line start), False for a
        generic label (Facilitator, P3), None when the token is not a label."""
        line_start = text.rfind("\n", 0, token.start) + 1
        if text[line_start : token.start].strip():
            return None
        colon = re.match(r"([^\W\d_][\w'’ .-]{0,40}?)\s*:", text[token.start : token.start + 45])
        if not colon:
            return None
        label = colon.group(1)
        return not GENERIC_LABELS.match(label)


_POSSESSIVES = frozenset(["my", "our", "his", "her", "their", "your", "a"])
_PLAIN_BEFORE_STREET = frozenset(["main", "fast", "slow", "long", "country", "side", "back"])
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "my",
        "our",
        "your",
        "his",
        "her",
        "their",
        "its",
        "of",
        "in",
        "on",
        "at",
        "to",
        "from",
        "by",
        "for",
        "with",
        "and",
        "or",
        "but",
        "if",
        "so",
        "as",
        "is",
        "was",
        "be",
        "been",
        "are",
        "were",
        "i",
        "you",
        "he",
        "she",
        "we",
        "they",
        "it",
        "me",
        "him",
        "us",
        "them",
        "down",
        "up",
        "over",
        "under",
        "near",
        "old",
        "new",
        "big",
        "little",
        "one",
    ]
)


def _adjacent(text: str, a: _Token, b: _Token, allow: str = " ") -> bool:
    gap = text[a.end : b.start]
    return 0 < len(gap) <= 2 and all(c in allow + " " for c in gap) or gap == " "


_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    inserts = {a + c + b for a, b in splits for c in _ALPHABET}
    return deletes | swaps | replaces | inserts


NER = Callable[[str], list[tuple[int, int, str]]]
_NER_TYPES = {
    "PERSON": "PERSON", "GPE": "PLACE", "LOC": "PLACE", "FAC": "PLACE", "ORG": "ORG",
    "DATE": "DATE",
}  # fmt: skip


@lru_cache(maxsize=1)
def spacy_ner() -> NER | None:
    """The named entities of an installed English pipeline (``en_core_web_sm`` or larger), as
    code-point spans; None when none is installed (the embedded default)."""
    try:
        import spacy
    except ImportError:
        return None
    for name in ("en_core_web_trf", "en_core_web_lg", "en_core_web_md", "en_core_web_sm"):
        try:
            nlp = spacy.load(name, disable=["lemmatizer"])
        except OSError:
            continue
        if "ner" not in nlp.pipe_names:
            continue

        def entities(text: str, nlp: Any = nlp) -> list[tuple[int, int, str]]:
            return [(e.start_char, e.end_char, e.label_) for e in nlp(text).ents]

        return entities
    return None


def resolve(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Non-overlapping candidates: the longest span wins, then the surer type; the losers are
    kept on the winner as alternatives."""
    ordered = sorted(candidates, key=lambda c: (-(c.end - c.start), -_PRIORITY[c.type], c.start))
    kept: list[Candidate] = []
    for candidate in ordered:
        clash = next((k for k in kept if k.start < candidate.end and candidate.start < k.end), None)
        if clash is None:
            kept.append(candidate)
        elif (candidate.start, candidate.end, candidate.type) != (
            clash.start,
            clash.end,
            clash.type,
        ):
            clash.alternatives.append((candidate.start, candidate.end, candidate.type))
    return sorted(kept, key=lambda c: c.start)


def detect(
    text: str, *, known_people: Iterable[str] = (), known_places: Iterable[str] = ()
) -> list[Candidate]:
    """Candidates in ``text`` (see ``Detector``)."""
    return Detector(known_people=known_people, known_places=known_places).detect(text)
