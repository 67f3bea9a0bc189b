"""Trips (issue 16 item 5): runs of photos taken away from home, found from an owner's photos in time order.

* Home, around a photo, is the coarse cell (about 25 km: HOME_CELL_DEG of latitude) where the owner took photos
  on the most distinct days within HOME_WINDOW_DAYS before and after it. Days, not photos: a week away with a
  thousand photos does not outweigh the months at home with a few a day. A tie goes to the photo's own cell,
  so right after a move the new home is home at once.
* Away is more than AWAY_KM from the centre of that home cell's photos. Any location counts, whatever its
  source (EXIF, user, inferred, track).
* Consecutive away photos make a run; runs separated by less than SHORT_RETURN_S at home are one trip (a
  short return), and A -> B -> A is one trip because B and the return to A are all away from home. A gap of
  more than MAX_GAP_S without any photo ends a run. A trip needs MIN_PHOTOS located photos away.
* A trip's photos are every photo taken between its first and last photo away, located or not (an unlocated
  photo belongs to the trip by time, as does a photo at home during a short return).
* Its title comes from where most of its away photos were (a region when one holds most of them, else a
  country, else the two main countries) and its months ("Tuscany, April 2013").

Everything here is pure: no store, no clock. services/trips.py reads the photos and keeps the trips.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

AWAY_KM = 50.0
HOME_CELL_DEG = 0.25  # ~28 km of latitude; longitude cells are widened by 1/cos(lat)
HOME_WINDOW_DAYS = 60
SHORT_RETURN_S = 36 * 3600
MAX_GAP_S = 4 * 86400
MIN_PHOTOS = 2
MAX_PLACES = 5
DOMINANT_SHARE = 0.6
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


@dataclass(frozen=True)
class Point:
    """One photo as trips see it: its instant (epoch seconds), local taken time, and place when located."""

    photo_id: str
    instant: float
    taken_at: str  # as stored: its local day and month title the trip
    lat: float | None = None
    lon: float | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass
class Trip:
    """A trip as stored and served. `title` is the user's name when given (`named`), else the made one.
    start/end are the taken_at of its first and last photo away; start_s/end_s their instants."""

    id: str
    owner_id: str
    title: str
    start: str
    end: str
    start_s: float
    end_s: float
    places: list[str] = field(default_factory=list)
    photo_count: int = 0
    cover_photo_id: str | None = None
    named: bool = False
    question_id: str | None = None  # the open "Name this trip?" question, when asked


@dataclass(frozen=True)
class Found:
    """A trip found in a run of points, before it has an id."""

    title: str
    start: str
    end: str
    start_s: float
    end_s: float
    places: tuple[str, ...]
    photo_ids: tuple[str, ...]
    cover_photo_id: str


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def cell_of(lat: float, lon: float) -> tuple[int, int]:
    width = HOME_CELL_DEG / max(0.2, math.cos(math.radians(lat)))
    return (math.floor(lat / HOME_CELL_DEG), math.floor(lon / width))


def find_trips(points: Sequence[Point]) -> list[Found]:
    """The trips in an owner's photos (any order in; instants decide), oldest first."""
    ordered = sorted(points, key=lambda p: (p.instant, p.photo_id))
    located = [p for p in ordered if p.located]
    if not located:
        return []
    away = _away_flags(located)
    runs = _runs(located, away)
    return [_found(run, ordered) for run in runs if len(run) >= MIN_PHOTOS]


def _away_flags(located: list[Point]) -> list[bool]:
    """For each located point (time order), whether it is more than AWAY_KM from home around its day."""
    days: dict[int, set[tuple[int, int]]] = {}
    sums: dict[tuple[int, int], tuple[float, float, int]] = {}
    for p in located:
        assert p.lat is not None and p.lon is not None
        cell = cell_of(p.lat, p.lon)
        days.setdefault(int(p.instant // 86400), set()).add(cell)
        lat_sum, lon_sum, n = sums.get(cell, (0.0, 0.0, 0))
        sums[cell] = (lat_sum + p.lat, lon_sum + p.lon, n + 1)
    centre = {c: (la / n, lo / n) for c, (la, lo, n) in sums.items()}
    day_list = sorted(days)
    homes: dict[tuple[int, tuple[int, int]], tuple[int, int]] = {}
    flags = []
    for p in located:
        assert p.lat is not None and p.lon is not None
        own, day = cell_of(p.lat, p.lon), int(p.instant // 86400)
        key = (day, own)
        if key not in homes:
            homes[key] = _home(day, own, day_list, days, centre)
        home_lat, home_lon = centre[homes[key]]
        flags.append(distance_km(p.lat, p.lon, home_lat, home_lon) > AWAY_KM)
    return flags


def _home(day: int, own: tuple[int, int], day_list: list[int], days: dict[int, set[tuple[int, int]]],
          centres: dict[tuple[int, int], tuple[float, float]]) -> tuple[int, int]:
    """The cell with photos on the most distinct days within HOME_WINDOW_DAYS of day, a day counting for a cell
    when it has photos in that cell or one next to it (a town split by a cell's edge is still one home); ties go
    to `own`, then to the smallest cell (stable)."""
    counts: Counter[tuple[int, int]] = Counter()
    for d in day_list:
        if abs(d - day) <= HOME_WINDOW_DAYS:
            counts.update({(a + i, b + j) for a, b in days[d] for i in (-1, 0, 1) for j in (-1, 0, 1)})
    counts = Counter({c: n for c, n in counts.items() if c in centres})
    best = max(counts.values())
    if counts.get(own, 0) == best:
        return own
    return min(c for c, n in counts.items() if n == best)


def _runs(located: list[Point], away: list[bool]) -> list[list[Point]]:
    """Away points grouped into trips: a run ends at a gap over MAX_GAP_S without any photo, or at a stay home
    (a photo at home in between) of SHORT_RETURN_S or more, from the last photo away to the next one."""
    runs: list[list[Point]] = []
    current: list[Point] = []
    home_since = False
    for p, is_away in zip(located, away, strict=True):
        if not is_away:
            home_since = True
            continue
        limit = SHORT_RETURN_S if home_since else MAX_GAP_S
        if current and p.instant - current[-1].instant > limit:
            runs.append(current)
            current = []
        current.append(p)
        home_since = False
    if current:
        runs.append(current)
    return runs


def _found(run: list[Point], ordered: list[Point]) -> Found:
    first, last = run[0], run[-1]
    inside = [p for p in ordered if first.instant <= p.instant <= last.instant]
    return Found(title=title_of(run), start=first.taken_at, end=last.taken_at, start_s=first.instant,
                 end_s=last.instant, places=tuple(places_of(run)), photo_ids=tuple(p.photo_id for p in inside),
                 cover_photo_id=run[len(run) // 2].photo_id)


def place_label(p: Point) -> str | None:
    """"Rome, Italy": the city and country (either alone when the other is unknown)."""
    parts = [x for x in (p.city, p.country) if x]
    return ", ".join(parts) if parts else None


def places_of(run: Sequence[Point]) -> list[str]:
    """The trip's places, most photographed first (at most MAX_PLACES)."""
    counts = Counter(label for p in run if (label := place_label(p)))
    return [label for label, _ in counts.most_common(MAX_PLACES)]


def title_of(run: Sequence[Point]) -> str:
    """"Tuscany, April 2013": where (see the module's docstring) and when."""
    where = _where(run)
    when = months_label(run[0].taken_at, run[-1].taken_at)
    return f"{where}, {when}" if where and when else (where or when or "A trip")


def _where(run: Sequence[Point]) -> str | None:
    total = len(run)
    for attr in ("region", "country"):
        counts = Counter(v for p in run if (v := getattr(p, attr)))
        if counts:
            name, n = counts.most_common(1)[0]
            if n / total >= DOMINANT_SHARE:
                return str(name)
    countries = [name for name, _ in Counter(p.country for p in run if p.country).most_common(2)]
    if countries:
        return " & ".join(countries)
    cities = [name for name, _ in Counter(p.city for p in run if p.city).most_common(1)]
    return cities[0] if cities else None


def months_label(first: str, last: str) -> str | None:
    """"April 2013", "April – May 2013", "December 2013 – January 2014" from two local taken times."""
    try:
        y1, m1, y2, m2 = int(first[:4]), int(first[5:7]), int(last[:4]), int(last[5:7])
    except ValueError:
        return None
    if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
        return None
    if (y1, m1) == (y2, m2):
        return f"{_MONTHS[m1 - 1]} {y1}"
    if y1 == y2:
        return f"{_MONTHS[m1 - 1]} – {_MONTHS[m2 - 1]} {y1}"
    return f"{_MONTHS[m1 - 1]} {y1} – {_MONTHS[m2 - 1]} {y2}"


def overlaps(a_start: float, a_end: float, b_start: float, b_end: float) -> bool:
    return a_start <= b_end and b_start <= a_end


def reconcile(stored: Sequence[Trip], found: Sequence[Found]) -> list[tuple[Found, Trip | None]]:
    """Each found trip with the stored trip it continues (the one it overlaps most in time, each used once), so
    a trip keeps its id, its user's name and its question as photos arrive; None for a new trip."""
    pairs: list[tuple[float, int, int]] = []
    for i, f in enumerate(found):
        for j, t in enumerate(stored):
            if overlaps(f.start_s, f.end_s, t.start_s, t.end_s):
                shared = min(f.end_s, t.end_s) - max(f.start_s, t.start_s)
                pairs.append((-shared, i, j))
    pairs.sort()
    match: dict[int, Trip] = {}
    used: set[int] = set()
    for _, i, j in pairs:
        if i not in match and j not in used:
            match[i] = stored[j]
            used.add(j)
    return [(f, match.get(i)) for i, f in enumerate(found)]
