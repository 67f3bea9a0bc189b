"""The timeline (issue 16): how many photos an owner took each month, newest month first.

A photo's month is that of its local time: the first seven characters of taken_at as the camera (or the user)
gave it, offset or not (API.md: "a photo's day and month are those of its local time"). A photo without a
taken time is counted as undated.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from .model import Photo
from .search import DEFAULT_MIN_CONFIDENCE, SearchQuery

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_DAY = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


@dataclass(frozen=True)
class MonthCount:
    month: str  # "YYYY-MM"
    count: int


@dataclass
class Timeline:
    buckets: list[MonthCount] = field(default_factory=list)  # newest month first, no empty months
    undated: int = 0


def month_of(taken_at: str | None) -> str | None:
    """"2014-09" of a taken_at ("2014-09-03T10:00:00+02:00"); None when it has no readable month."""
    value = (taken_at or "").strip()[:7]
    return value if _MONTH.match(value) else None


def day_of(taken_at: str | None) -> str | None:
    """"2014-09-03" (the local day) of a taken_at; None when it has no readable day."""
    value = (taken_at or "").strip()[:10]
    return value if _DAY.match(value) else None


def is_valid_month(value: str) -> bool:
    return bool(_MONTH.match(value))


def is_unfiltered(query: SearchQuery) -> bool:
    """True when the query selects every photo of the owner (the counters answer it; no search needed)."""
    return dataclasses.replace(query, min_confidence=DEFAULT_MIN_CONFIDENCE) == SearchQuery()


def from_counts(counts: dict[str | None, int]) -> Timeline:
    """A Timeline from counts by month (None: undated), dropping empty months, newest first."""
    buckets = [MonthCount(m, c) for m, c in counts.items() if m is not None and c > 0]
    buckets.sort(key=lambda b: b.month, reverse=True)
    return Timeline(buckets=buckets, undated=max(0, counts.get(None, 0)))


@dataclass
class Memory:
    """Photos taken on one day of an earlier year ("On this day")."""

    years_ago: int
    date: str  # "YYYY-MM-DD": the day they were taken
    photos: list[Photo] = field(default_factory=list)


def memory_days(date: str) -> tuple[str, ...]:
    """The "MM-DD" days whose photos are memories on date: its own, and on 28 February of a year that has no
    29th, the 29th too (photos of a leap day come back once a year, not once in four)."""
    month_day = date[5:10]
    year = int(date[:4])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return (month_day, "02-29") if month_day == "02-28" and not leap else (month_day,)


def memories_of(date: str, photos: list[Photo]) -> list[Memory]:
    """photos grouped by the day they were taken, for the years before date's, the most recent year first."""
    year = int(date[:4])
    by_day: dict[str, list[Photo]] = {}
    for photo in photos:
        day = day_of(photo.taken_at)
        if day and int(day[:4]) < year and day[5:] in memory_days(date):
            by_day.setdefault(day, []).append(photo)
    return [Memory(years_ago=year - int(day[:4]), date=day, photos=items)
            for day, items in sorted(by_day.items(), reverse=True)]
