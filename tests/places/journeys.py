"""A made-up journey and the measure of inferred places over it (issue 16 item 2), shared by the accuracy test
(tests/places/test_accuracy.py) and bench/places.py. Deterministic: the same seed gives the same photos.

The journey: eight days through Tuscany, Emilia, Lombardy, Ticino, Zurich, Basel, Alsace and Baden, by foot in
each town (wandering at walking pace, stopping at sights) and by car or train between them, along roads that
are not straight lines, across four borders. Photos come in bursts and pauses, as people take them. The measure
hides the GPS of some photos, infers their places from the others with domain.places.estimate (the rule the
service runs), and compares with where they were taken.
"""

from __future__ import annotations

import bisect
import math
import random
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cloudalbum.domain import places as P
from cloudalbum.domain.search import haversine_km

START = 1365580800.0  # 2013-04-10T08:00:00Z
STOPS = [("Florence", 43.7696, 11.2558), ("Siena", 43.3188, 11.3308), ("Arezzo", 43.4632, 11.8796),
         ("Bologna", 44.4949, 11.3426), ("Milan", 45.4642, 9.1900), ("Como", 45.8081, 9.0852),
         ("Lugano", 46.0037, 8.9511), ("Zurich", 47.3769, 8.5417), ("Basel", 47.5596, 7.5886),
         ("Strasbourg", 48.5734, 7.7521), ("Freiburg", 47.9990, 7.8421)]
LEGS = ["car", "car", "train", "train", "train", "car", "train", "train", "car", "car"]
SPEED_KMH = {"walk": 3.5, "car": 65.0, "train": 100.0}
GAP_MIN = {"walk": 15.0, "car": 40.0, "train": 45.0}  # mean minutes between photo bursts


@dataclass(frozen=True)
class Shot:
    """A photo of the journey: its index, instant (epoch seconds) and where it was taken."""

    n: int
    ts: float
    lat: float
    lon: float


def _move(lat: float, lon: float, km_north: float, km_east: float) -> tuple[float, float]:
    return lat + km_north / 111.2, lon + km_east / (111.2 * math.cos(math.radians(lat)))


def _track(rng: random.Random) -> list[tuple[float, float, float, str]]:
    """The traveller's position each minute: (ts, lat, lon, mode), daytime only (nights are gaps)."""
    out: list[tuple[float, float, float, str]] = []
    t = START
    for i, (_name, lat, lon) in enumerate(STOPS):
        day_end = t + rng.uniform(5, 7) * 3600  # hours on foot in town
        heading = rng.uniform(0, 2 * math.pi)
        here = (lat, lon)
        while t < day_end:
            if rng.random() < 0.08:  # a sight: stand still a while
                for _ in range(rng.randint(5, 25)):
                    out.append((t, *here, "walk"))
                    t += 60
                continue
            heading += rng.gauss(0, 0.5)
            if haversine_km(*here, lat, lon) > 2.0:  # stay in town: turn back towards its centre
                heading = math.atan2((lon - here[1]) * math.cos(math.radians(lat)), lat - here[0])
            step = SPEED_KMH["walk"] / 60
            here = _move(*here, step * math.cos(heading), step * math.sin(heading))
            out.append((t, *here, "walk"))
            t += 60
        if i + 1 < len(STOPS):
            mode = LEGS[i]
            _, lat2, lon2 = STOPS[i + 1]
            km = haversine_km(*here, lat2, lon2)
            minutes = max(1, int(km / SPEED_KMH[mode] * 60 * 1.25))  # roads and rails are longer than the line
            bend = rng.uniform(-0.15, 0.15) * km  # how far the way bows off the straight line, at its middle
            start = here
            d_north, d_east = lat2 - start[0], (lon2 - start[1]) * math.cos(math.radians(start[0]))
            norm = math.hypot(d_north, d_east) or 1.0
            side_north, side_east = -d_east / norm, d_north / norm  # perpendicular to the way
            for m in range(minutes):
                f = m / minutes
                off = bend * math.sin(math.pi * f)
                out.append((t, *_move(start[0] + f * (lat2 - start[0]), start[1] + f * (lon2 - start[1]),
                                      off * side_north, off * side_east), mode))
                t += 60
            here = (lat2, lon2)
        t = math.ceil((t - START) / 86400) * 86400 + START + rng.uniform(0, 1.5) * 3600  # the next morning
    return out


def journey(seed: int = 16) -> list[Shot]:
    """The photos of the journey, oldest first."""
    rng = random.Random(seed)
    track = _track(rng)
    shots: list[Shot] = []
    i = 0
    while i < len(track):
        ts, lat, lon, mode = track[i]
        burst = 1 if rng.random() < 0.75 else rng.randint(2, 5)
        for k in range(burst):
            shots.append(Shot(len(shots), ts + k * rng.uniform(3, 40), lat, lon))
        gap = max(1, round(rng.expovariate(1 / GAP_MIN[mode])))
        nxt = i + gap
        if nxt < len(track) and track[nxt][0] - ts > 3 * 3600:
            nxt = i + 1  # a night between: go on with the next morning
        i = nxt
    return shots


@dataclass
class Report:
    """How the inferred places landed."""

    hidden: int
    sure: list[tuple[float, bool]]  # (km off, wrong country) of the places set
    suggested: list[tuple[float, bool]]  # the same for the suggestions

    def line(self, errors: list[tuple[float, bool]]) -> dict[str, float]:
        km = [e for e, _ in errors]
        return {"count": len(errors), "share": len(errors) / self.hidden if self.hidden else 0.0,
                "median_km": statistics.median(km) if km else math.nan,
                "p90_km": sorted(km)[int(0.9 * (len(km) - 1))] if km else math.nan,
                "within_1km": sum(e <= 1.0 for e in km) / len(km) if km else math.nan,
                "wrong_country": sum(w for _, w in errors) / len(errors) if errors else math.nan}


def measure(shots: Sequence[Shot], hidden: set[int], *, country: Callable[[float, float], str | None],
            window_s: int = P.WINDOW_S) -> Report:
    """Hide the GPS of the `hidden` shots, estimate each from the nearest others before and after (anchors:
    never a hidden one), and compare with where it was taken."""
    anchors = sorted((s.ts, s.n) for s in shots if s.n not in hidden)
    by_n = {s.n: s for s in shots}
    report = Report(len(hidden), [], [])
    for n in sorted(hidden):
        shot = by_n[n]
        i = bisect.bisect_right(anchors, (shot.ts, math.inf))
        before = by_n[anchors[i - 1][1]] if i > 0 else None
        after = by_n[anchors[i][1]] if i < len(anchors) else None
        est = P.estimate(shot.ts, _fix(before), _fix(after), window_s=window_s)
        if est is None or est.confidence < P.SUGGEST_AT:
            continue
        error = (haversine_km(shot.lat, shot.lon, est.lat, est.lon),
                 country(shot.lat, shot.lon) != country(est.lat, est.lon))
        (report.sure if est.sure else report.suggested).append(error)
    return report


def _fix(shot: Shot | None) -> P.Fix | None:
    return None if shot is None else P.Fix(str(shot.n), shot.ts, shot.lat, shot.lon)


def hide_share(shots: Sequence[Shot], share: float, seed: int = 7) -> set[int]:
    """A random share of the shots (a second camera without GPS, photos from a messenger)."""
    rng = random.Random(seed)
    return {s.n for s in shots if rng.random() < share}


def hide_runs(shots: Sequence[Shot], share: float, *, hours: tuple[float, float] = (1.0, 4.0),
              seed: int = 8) -> set[int]:
    """Runs of consecutive shots, each spanning a random 1 to 4 hours, about `share` of them in all (the phone's
    battery ran out, the GPS was off for an afternoon)."""
    rng = random.Random(seed)
    hidden: set[int] = set()
    i = 0
    while i < len(shots):
        if rng.random() < share / 4:
            end = shots[i].ts + rng.uniform(*hours) * 3600
            while i < len(shots) and shots[i].ts <= end:
                hidden.add(shots[i].n)
                i += 1
        i += 1
    return hidden
