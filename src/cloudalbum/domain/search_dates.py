"""Date phrases of a search sentence: "2014", "april 2018", "summer 2019", "last summer", "yesterday",
"last week", "this year", "3 years ago", "last 30 days", "2014-06-01", and the ranges "since 2014",
"before 2020", "2014 to 2016". Each reads to a span of days (from, to; None for an open end), relative to a
today that is given. Seasons are the northern hemisphere's meteorological ones.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from .search_tokens import Token
from .search_vocabulary import MONTH_WORDS, SEASONS

YEAR_MIN, YEAR_MAX = 1900, 2099
RANGE_WORDS = frozenset({"to", "until", "till", "through", "and"})
OPEN_RANGE_WORDS = {"since": "from", "after": "after", "before": "before", "until": "to"}
RELATIVE_UNITS = {"day": "day", "days": "day", "week": "week", "weeks": "week", "month": "month",
                  "months": "month", "year": "year", "years": "year"}

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


def year_of(word: str) -> int | None:
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
    if first in MONTH_WORDS and (year := year_of(second)):
        return 2, _month_span(year, MONTH_WORDS[first])
    if first in SEASONS:
        if (year := year_of(second)):
            return 2, _season_span(first, year)
        return 1, _season_relative(first, "latest", today)
    if (year := year_of(first)):
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
