"""Reading a search sentence: `q` -> the search parameters the stores already serve, and how it was read.

Pure: no I/O. What the parser needs to know of the world is passed in: today's date, the owner's people's
names and a `known_place(name) -> canonical name | None` callable (the offline gazetteer, in the service).

The sentence is cut into tokens ("-word" negates the phrase it starts); then, from left to right, the first
rule that reads something at the current token wins, each taking the longest phrase it knows:

1. negation: "without", "no", "not", "except", "-" + a label, hypernym or category phrase -> not_labels;
2. dates: "2014", "april 2018", "summer 2019", "last summer", "yesterday", "last week", "this year",
   "3 years ago", "2014-06-01", "since 2014", "before 2020", "2014 to 2016" -> from/to (several intersect);
3. "in"/"at" + a place the gazetteer knows ("in iceland", "in new york") -> place ("in 2014" is a date);
4. a named person of the owner (whole name, or a first name only one person has) -> people;
5. a vocabulary phrase (domain.search_vocabulary): a label, a hypernym (any of some labels), a category;
   matched as that label (or category) OR the phrase in the photo's own words (domain.search.LabelOrWords);
6. a stop word -> dropped; anything else -> a leftover word (each must match somewhere, as free text).

A month alone ("april") stays a word: free text matches it against the month name of every photo's date, so
it means that month in any year. Seasons are the northern hemisphere's meteorological ones.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Callable, Iterable

from .categories import CATEGORIES
from .search import LabelOrWords, SearchQuery, fold, label_key, person_key, query_words, stem
from .search_vocabulary import (CATEGORY_NOT_WORDS, CATEGORY_SYNONYMS, LABEL_GROUPS, LABEL_SYNONYMS, MONTH_WORDS,
                                NEGATED_WORDS, NEGATIONS, NOT_PLACES, PLACE_WORDS, SEASONS, STOP_WORDS)

MAX_PHRASE = 4  # words in the longest vocabulary phrase, place or name looked for
YEAR_MIN, YEAR_MAX = 1900, 2099
RANGE_WORDS = frozenset({"to", "until", "till", "through", "and"})
OPEN_RANGE_WORDS = {"since": "from", "after": "after", "before": "before", "until": "to"}
RELATIVE_UNITS = {"day": "day", "days": "day", "week": "week", "weeks": "week", "month": "month",
                  "months": "month", "year": "year", "years": "year"}

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


@dataclass
class Token:
    word: str  # folded
    neg: bool = False  # written "-word"

    @property
    def key(self) -> str:
        return stem(self.word)


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


# --- tokens ---------------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\d{4}-\d{2}-\d{2}|[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
_YEAR_SPAN = re.compile(r"\b(\d{4})\s*[-–]\s*(\d{4})\b")


def tokenize(q: str) -> list[Token]:
    """Folded words; "-word" (a minus at the start of a word) marks a negation. "2014-2016" is "2014 to 2016"."""
    tokens: list[Token] = []
    for piece in _YEAR_SPAN.sub(r"\1 to \2", q or "").split():
        neg = piece.startswith("-") and len(piece) > 1
        for n, word in enumerate(_TOKEN.findall(piece)):
            word = fold(word)
            if word.endswith("'s"):  # "anna's" is anna
                word = word[:-2]
            tokens.append(Token(word, neg=neg and n == 0))
    return tokens


# --- dates ----------------------------------------------------------------------------------------------------

Span = tuple[date, date]


def _month_span(year: int, month: int) -> Span:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _season_span(name: str, year: int) -> Span:
    """The season starting in `year` (winter 2019: December 2019 to February 2020)."""
    first, months = SEASONS[name]
    end_year, end_month = _add_months(year, first, months - 1)
    return date(year, first, 1), _month_span(end_year, end_month)[1]


def _year_of(word: str) -> int | None:
    if len(word) == 4 and word.isdigit() and YEAR_MIN <= int(word) <= YEAR_MAX:
        return int(word)
    return None


def _relative(unit: str, offset: int, today: date) -> Span:
    """The calendar day, week (Monday to Sunday), month or year `offset` units from today's (-1 = last)."""
    if unit == "day":
        day = today + timedelta(days=offset)
        return day, day
    if unit == "week":
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=offset)
        return monday, monday + timedelta(days=6)
    if unit == "month":
        return _month_span(*_add_months(today.year, today.month, offset))
    return date(today.year + offset, 1, 1), date(today.year + offset, 12, 31)


def _season_relative(name: str, which: str, today: date) -> Span:
    """"last summer": the latest that has ended; "this summer": the one holding today, else this year's;
    "summer" alone: the latest that has begun."""
    candidates = [_season_span(name, y) for y in (today.year - 2, today.year - 1, today.year)]
    if which == "last":
        return [s for s in candidates if s[1] < today][-1]
    if which == "this":
        holding = [s for s in candidates if s[0] <= today <= s[1]]
        return holding[0] if holding else candidates[-1]
    return [s for s in candidates if s[0] <= today][-1]


def _simple_date(tokens: list[Token], i: int, today: date) -> tuple[int, Span] | None:
    """One date phrase at token i: (tokens used, span), longest first."""
    w = [t.word for t in tokens[i:i + 4]]
    if not w:
        return None
    first, second = w[0], (w[1] if len(w) > 1 else "")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", first):
        try:
            day = date.fromisoformat(first)
        except ValueError:
            return None
        return 1, (day, day)
    if first in ("today", "yesterday"):
        return 1, _relative("day", 0 if first == "today" else -1, today)
    if first in ("this", "last", "past", "previous") and second:
        which = "this" if first == "this" else "last"
        if second in ("week", "month", "year"):
            return 2, _relative(second, 0 if which == "this" else -1, today)
        if second in SEASONS:
            return 2, _season_relative(second, which, today)
        if second in MONTH_WORDS and which == "last":  # the latest April that has ended
            y, m = today.year, MONTH_WORDS[second]
            span = _month_span(y, m)
            return 2, (span if span[1] < today else _month_span(y - 1, m))
        if first in ("last", "past") and second.isdigit() and len(w) > 2 and w[2] in RELATIVE_UNITS:
            count = int(second)  # "last 30 days": up to today
            if 0 < count <= 10_000:
                start = _relative(RELATIVE_UNITS[w[2]], -(count - 1), today)[0]
                return 3, (start, today)
    if (first.isdigit() or first in ("a", "one")) and second in RELATIVE_UNITS and len(w) > 2 and w[2] == "ago":
        count = 1 if first in ("a", "one") else int(first)
        if 0 < count <= 1000:
            return 3, _relative(RELATIVE_UNITS[second], -count, today)
    if first in MONTH_WORDS and (year := _year_of(second)):
        return 2, _month_span(year, MONTH_WORDS[first])
    if first in SEASONS:
        if (year := _year_of(second)):
            return 2, _season_span(first, year)
        return 1, _season_relative(first, "latest", today)
    if (year := _year_of(first)):
        if second in MONTH_WORDS:  # "2018 april"
            return 2, _month_span(year, MONTH_WORDS[second])
        return 1, (date(year, 1, 1), date(year, 12, 31))
    return None


def date_at(tokens: list[Token], i: int, today: date) -> tuple[int, date | None, date | None] | None:
    """A date phrase at token i, with its range forms ("2014 to 2016", "since 2014", "before 2020"):
    (tokens used, from, to); None for an open end."""
    word = tokens[i].word
    if word in OPEN_RANGE_WORDS and i + 1 < len(tokens):
        found = _simple_date(tokens, i + 1, today)
        if found is None:
            return None
        n, (lo, hi) = found
        kind = OPEN_RANGE_WORDS[word]
        if kind == "from":
            return n + 1, lo, None
        if kind == "after":
            return n + 1, hi + timedelta(days=1), None
        if kind == "before":
            return n + 1, None, lo - timedelta(days=1)
        return n + 1, None, hi
    found = _simple_date(tokens, i, today)
    if found is None:
        return None
    n, (lo, hi) = found
    j = i + n
    if j + 1 < len(tokens) and tokens[j].word in RANGE_WORDS:
        end = _simple_date(tokens, j + 1, today)
        if end is not None and end[1][1] >= lo:
            return n + 1 + end[0], lo, end[1][1]
    return n, lo, hi


# --- people and places ---------------------------------------------------------------------------------------


def people_index(names: Iterable[str]) -> dict[tuple[str, ...], str]:
    """Named people by their words; a first name stands for its person when no one else has it."""
    index: dict[tuple[str, ...], str] = {}
    firsts: dict[str, set[str]] = {}
    for name in names:
        key = tuple(fold(w) for w in _TOKEN.findall(name))  # as q's words are cut: "Jean-Luc" is jean luc
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
        if span[0].word in STOP_WORDS or any(_year_of(t.word) for t in span) or (n == 1 and span[0].word in NOT_PLACES):
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
        people=values("people"), text=tuple(dict.fromkeys(fold(w) for w in _TOKEN.findall(text or ""))),
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
