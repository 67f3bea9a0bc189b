"""Reading a search sentence: `q` -> the search parameters the stores already serve, and how it was read.

Pure: no I/O. What the parser needs to know of the world is passed in: today's date, the owner's people's
names and a `known_place(name) -> canonical name | None` callable (the offline gazetteer, in the service).

The sentence is cut into tokens (domain.search_tokens; "-word" negates the phrase it starts); then, from left
to right, the first rule that reads something at the current token wins, each taking the longest phrase it
knows:

1. negation: "without", "no", "not", "except", "-" + a label, hypernym or category phrase -> not_labels;
2. dates (domain.search_dates): "2014", "april 2018", "summer 2019", "last summer", "yesterday", "last week",
   "this year", "3 years ago", "2014-06-01", "since 2014", "before 2020", "2014 to 2016" -> from/to (several
   intersect);
3. "in"/"at" + a place the gazetteer knows ("in iceland", "in new york") -> place ("in 2014" is a date);
4. a named person of the owner (whole name, or a first name only one person has) -> people;
5. a vocabulary phrase (domain.search_vocabulary): a label, a hypernym (any of some labels), a category;
   matched as that label (or category) OR the phrase in the photo's own words (domain.search.LabelOrWords);
6. a stop word -> dropped; anything else -> a leftover word (each must match somewhere, as free text).

A month alone ("april") stays a word: free text matches it against the month name of every photo's date, so
it means that month in any year. Seasons are the northern hemisphere's meteorological ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Any

from .categories import CATEGORIES
from .search import LabelOrWords, SearchQuery, label_key, person_key, query_words
from .search_dates import date_at, year_of
from .search_tokens import Token, folded_words, tokenize
from .search_vocabulary import (
    CATEGORY_NOT_WORDS,
    CATEGORY_SYNONYMS,
    LABEL_GROUPS,
    LABEL_SYNONYMS,
    NEGATED_WORDS,
    NEGATIONS,
    NOT_PLACES,
    PLACE_WORDS,
    STOP_WORDS,
)
from .search_words import stem
from .text import fold

MAX_PHRASE = 4  # words in the longest vocabulary phrase, place or name looked for

KnownPlace = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Meaning:
    """What a vocabulary phrase stands for: kind "label" (one name), "group" (any of names) or "category"."""

    kind: str
    names: tuple[str, ...]

    def negated_labels(self) -> tuple[str, ...]:
        """The labels "without <phrase>" excludes: the label, every label of the group or of the category."""
        return CATEGORIES[self.names[0]] if self.kind == "category" else self.names


@dataclass(frozen=True)
class Part:
    """One thing q was read as: kind (labels, any_labels, not_labels, categories, place, date, people, words),
    its value, and the words of q it was read from (what a page shows, and removes, as a chip)."""

    kind: str
    value: Any
    phrase: str

    def to_json(self) -> dict[str, Any]:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"kind": self.kind, "value": value, "phrase": self.phrase}


@dataclass(frozen=True)
class Interpretation:
    """How q was read (API.md: labels, not_labels, categories, place, from, to, people, text, words), plus
    any_labels (hypernyms: any one label of each group) and the parts, in the order of q."""

    labels: tuple[str, ...] = ()
    any_labels: tuple[tuple[str, ...], ...] = ()
    not_labels: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    place: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    people: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    parts: tuple[Part, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"labels": list(self.labels), "not_labels": list(self.not_labels),
                "categories": list(self.categories), "place": self.place, "from": self.date_from,
                "to": self.date_to, "people": list(self.people), "text": list(self.text),
                "words": list(self.words), "any_labels": [list(g) for g in self.any_labels],
                "parts": [p.to_json() for p in self.parts]}

    @property
    def empty_dates(self) -> bool:
        """Two date phrases that do not overlap ("2014 2016"): nothing can match."""
        return bool(self.date_from and self.date_to and self.date_from > self.date_to)


# --- the vocabulary, as stem keys ---------------------------------------------------------------------------


def phrase_key(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(stem(w) for w in words)


@lru_cache(maxsize=1)
def lexicon() -> dict[tuple[str, ...], Meaning]:
    """Every vocabulary phrase (stemmed words) -> its meaning. Two meanings for one phrase is a table bug."""
    table: dict[tuple[str, ...], Meaning] = {}

    def put(phrase: str, meaning: Meaning) -> None:
        key = phrase_key(fold(phrase).split())
        if table.get(key, meaning) != meaning:
            raise ValueError(f"vocabulary: {phrase!r} means both {table[key]} and {meaning}")
        table[key] = meaning

    for name, synonyms in LABEL_SYNONYMS.items():
        for phrase in (name, *synonyms):
            put(phrase, Meaning("label", (name,)))
    for phrase, names in LABEL_GROUPS.items():
        put(phrase, Meaning("group", names))
    for cat, synonyms in CATEGORY_SYNONYMS.items():
        for phrase in (cat, *synonyms):
            if phrase not in CATEGORY_NOT_WORDS:
                put(phrase, Meaning("category", (cat,)))
    return table


def vocabulary_at(tokens: list[Token], i: int) -> tuple[int, Meaning] | None:
    """The longest vocabulary phrase starting at token i: (number of tokens, meaning)."""
    table = lexicon()
    for n in range(min(MAX_PHRASE, len(tokens) - i), 0, -1):
        meaning = table.get(tuple(t.key for t in tokens[i:i + n]))
        if meaning is not None:
            return n, meaning
    return None


# --- people and places ---------------------------------------------------------------------------------------


def people_index(names: Iterable[str]) -> dict[tuple[str, ...], str]:
    """Named people by their words; a first name stands for its person when no one else has it."""
    index: dict[tuple[str, ...], str] = {}
    firsts: dict[str, set[str]] = {}
    for name in names:
        key = tuple(folded_words(name))  # as q's words are cut: "Jean-Luc" is jean luc
        if not key:
            continue
        index.setdefault(key, name)
        firsts.setdefault(key[0], set()).add(name)
    for first, owners in firsts.items():
        if len(owners) == 1:
            index.setdefault((first,), next(iter(owners)))
    return index


def _person_at(tokens: list[Token], i: int, index: dict[tuple[str, ...], str]) -> tuple[int, str] | None:
    for n in range(min(MAX_PHRASE, len(tokens) - i), 0, -1):
        name = index.get(tuple(t.word for t in tokens[i:i + n]))
        if name is not None:
            return n, name
    return None


def _place_at(tokens: list[Token], i: int, known_place: KnownPlace | None) -> tuple[int, str] | None:
    if known_place is None:
        return None
    for n in range(min(MAX_PHRASE, len(tokens) - i), 0, -1):
        span = tokens[i:i + n]
        if span[0].word in STOP_WORDS or any(year_of(t.word) for t in span) or (n == 1 and span[0].word in NOT_PLACES):
            continue
        name = known_place(" ".join(t.word for t in span))
        if name:
            return n, name
    return None


# --- the parser -------------------------------------------------------------------------------------------


@dataclass
class _Reading:
    parts: list[Part] = field(default_factory=list)
    lo: date | None = None
    hi: date | None = None

    def add(self, kind: str, value: Any, tokens: list[Token]) -> None:
        phrase = " ".join(("-" if t.neg else "") + t.word for t in tokens)
        self.parts.append(Part(kind, value, phrase))

    def narrow(self, lo: date | None, hi: date | None) -> None:
        """Several date phrases all hold: their ranges intersect."""
        if lo is not None:
            self.lo = lo if self.lo is None else max(self.lo, lo)
        if hi is not None:
            self.hi = hi if self.hi is None else min(self.hi, hi)


def _skip_articles(tokens: list[Token], j: int) -> int:
    while j < len(tokens) and tokens[j].word in ("the", "a", "an", "any", "my", "our"):
        j += 1
    return j


def _negation(tokens: list[Token], i: int, r: _Reading) -> int:
    """"without people", "no cars", "-person": not_labels. Returns the tokens used (0: not a negation).
    A negated phrase that is not in the vocabulary is dropped with its negation (it cannot be served)."""
    t = tokens[i]
    if t.word in NEGATED_WORDS:
        r.add("not_labels", (NEGATED_WORDS[t.word],), tokens[i:i + 1])
        return 1
    if not t.neg and t.word not in NEGATIONS:
        return 0
    j = i if t.neg else _skip_articles(tokens, i + 1)
    found = vocabulary_at(tokens, j) if j < len(tokens) else None
    if found is None:
        if t.neg:
            return 1  # "-blurry": a negated word that no store can exclude
        return 0 if j >= len(tokens) else (j - i) + 1
    n, meaning = found
    r.add("not_labels", meaning.negated_labels(), tokens[i:j + n])
    return j + n - i


def parse_query(q: str | None, *, today: date, people: Iterable[str] = (), known_place: KnownPlace | None = None,
                text: str | None = None) -> Interpretation:
    """Read a search sentence (see the module's docstring). `text` is the `text=` parameter (words to find
    in the photo), returned as interpretation.text."""
    tokens = tokenize(q or "")
    names = people_index(people)
    r = _Reading()
    i = 0
    while i < len(tokens):
        i += _read_one(tokens, i, r, today, names, known_place)
    return _interpretation(r, text)


def _read_one(tokens: list[Token], i: int, r: _Reading, today: date, names: dict[tuple[str, ...], str],
              known_place: KnownPlace | None) -> int:
    """Read what starts at token i; returns how many tokens it used (at least 1)."""
    used = _negation(tokens, i, r)
    if used:
        return used
    word = tokens[i].word
    found_date = date_at(tokens, i, today)
    if found_date is not None:
        n, lo, hi = found_date
        r.narrow(lo, hi)
        r.add("date", (lo.isoformat() if lo else None, hi.isoformat() if hi else None), tokens[i:i + n])
        return n
    if word in PLACE_WORDS and i + 1 < len(tokens):
        j = _skip_articles(tokens, i + 1)
        takes_other = (j < len(tokens) and (date_at(tokens, j, today) or vocabulary_at(tokens, j)
                                            or _person_at(tokens, j, names)))
        place = None if takes_other else _place_at(tokens, j, known_place)
        if place is not None:
            r.add("place", place[1], tokens[i:j + place[0]])
            return j + place[0] - i
        return 1
    person = _person_at(tokens, i, names)
    if person is not None:
        r.add("people", person[1], tokens[i:i + person[0]])
        return person[0]
    found = vocabulary_at(tokens, i)
    if found is not None:
        n, meaning = found
        kind = {"label": "labels", "group": "any_labels", "category": "categories"}[meaning.kind]
        r.add(kind, meaning.names[0] if meaning.kind != "group" else meaning.names, tokens[i:i + n])
        return n
    if word not in STOP_WORDS:
        r.add("words", word, tokens[i:i + 1])
    return 1


def _interpretation(r: _Reading, text: str | None) -> Interpretation:
    def values(kind: str) -> tuple[Any, ...]:
        return tuple(dict.fromkeys(p.value for p in r.parts if p.kind == kind))

    not_labels = tuple(dict.fromkeys(name for p in r.parts if p.kind == "not_labels" for name in p.value))
    places = values("place")
    return Interpretation(
        labels=values("labels"), any_labels=values("any_labels"), not_labels=not_labels,
        categories=values("categories"), place=", ".join(places) or None,
        date_from=r.lo.isoformat() if r.lo else None, date_to=r.hi.isoformat() if r.hi else None,
        people=values("people"), text=tuple(dict.fromkeys(folded_words(text))),
        words=values("words"), parts=tuple(r.parts))


# --- combining with the explicit parameters -------------------------------------------------------------------


def _merged(first: Iterable[str], more: Iterable[str], key: Callable[[str], str]) -> tuple[str, ...]:
    out: dict[str, str] = {}
    for name in (*first, *more):
        out.setdefault(key(name), name)
    return tuple(out.values())


def label_words(reading: Interpretation) -> tuple[LabelOrWords, ...]:
    """q's vocabulary phrases as label-or-words terms (domain.search.LabelOrWords), one per meaning: the
    label(s) it names or the phrase as typed as a label (a user's label "puppy"), or the category, or the
    phrases typed and its name(s) in the photo's own words."""
    terms: dict[tuple[str, Any], LabelOrWords] = {}
    for part in reading.parts:
        if part.kind not in ("labels", "any_labels", "categories"):
            continue
        names = part.value if part.kind == "any_labels" else (part.value,)
        term = terms.get((part.kind, part.value)) or LabelOrWords(
            category=part.value if part.kind == "categories" else None)
        labels = () if part.kind == "categories" else names
        labels = _merged((*labels, *term.labels), (part.phrase,), label_key)
        phrases = {" ".join(query_words(p)): p for p in (*term.phrases, part.phrase, *names)}
        terms[(part.kind, part.value)] = replace(term, labels=labels, phrases=tuple(v for k, v in phrases.items() if k))
    return tuple(terms.values())


def apply_interpretation(query: SearchQuery, reading: Interpretation) -> SearchQuery:
    """The explicit parameters AND what q was read as. q itself becomes the leftover words; its vocabulary
    phrases become label_words (a label, or the words in the photo's own text), never strict labels."""
    date_from = max(filter(None, (query.date_from, reading.date_from)), default=None)
    date_to = min(filter(None, (query.date_to, reading.date_to)), default=None)
    place = ", ".join(filter(None, (query.place, reading.place))) or None
    return replace(
        query, q=" ".join(reading.words) or None,
        label_words=(*query.label_words, *label_words(reading)),
        not_labels=_merged(query.not_labels, reading.not_labels, label_key),
        people=_merged(query.people, reading.people, person_key),
        place=place, date_from=date_from, date_to=date_to)
