"""Places inferred from the owner's other photos (issue 16, item 2): pure rules, no I/O.

A photo without a location, taken between two of the owner's located photos, was most likely taken on the way
between them. `estimate` interpolates along that path by time and says how sure it is:

* the anchors ("fixes") are photos whose place was measured or said: EXIF GPS, a GPS track, the user. An
  inferred place is never an anchor, so one guess never feeds the next;
* both must lie within WINDOW_S of the photo, and the speed they imply must be one a person travels at (a
  flight between them says nothing about the places in between);
* the uncertainty grows with the distance between the anchors (the path may not be straight; its middle is
  least known) and with the time to the nearer anchor (people wander); confidence is 1 / (1 + km / 1 km).
  Sure enough (SET_AT) sets the location with source "inferred"; less sure (SUGGEST_AT) becomes a suggestion
  on the photo's location question; below that nothing is said. With one anchor only, close in time, the place
  is at most a suggestion.

The thresholds are measured in docs/places.md (bench/places.py). A photo's role says which index it is in:
ANCHOR (its place can place others) or OPEN (its place may be inferred: none yet, or an inferred one that a
better pair of anchors can improve). A location the user set, or one measured, is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .model import Location, Photo, PhotoStatus, Place, Question, Source, Suggestion
from .search import haversine_km
from .times import taken_seconds

ANCHOR, OPEN = "anchor", "open"
ANCHOR_SOURCES = (Source.EXIF.value, Source.USER.value, Source.TRACK.value)
WINDOW_S = 2 * 3600  # an anchor farther than this in time says nothing (docs/places.md)
ONE_SIDED_S = 20 * 60  # a lone anchor this close in time gives a suggestion
MAX_SPEED_KMH = 200.0  # faster than this between the anchors: a flight, the path between is unknown
PATH_SLACK = 0.25  # how far off the straight line a path strays, per km between the anchors, at its middle
WANDER_KMH = 3.0  # how far a person moves per hour away from where the nearer anchor was taken
LONE_KMH = 15.0  # the same with one anchor only (no second one bounds the way)
SET_AT = 0.5  # confidence from which the place is set (uncertainty about 1 km)
SUGGEST_AT = 0.08  # confidence from which the place is suggested (uncertainty about 11 km)
UNCERTAINTY_UNIT_KM = 1.0
FINAL = (PhotoStatus.DONE.value, PhotoStatus.NEEDS_INPUT.value, PhotoStatus.FAILED.value)
WHERE = "Where was this taken?"


@dataclass(frozen=True)
class Fix:
    """A photo whose place is known (an anchor): its id, its instant (epoch seconds) and its position."""

    photo_id: str
    ts: float
    lat: float
    lon: float


@dataclass(frozen=True)
class Estimate:
    """Where a photo was probably taken: the position, how sure (0..1), why, and from which anchors."""

    lat: float
    lon: float
    confidence: float
    reason: str
    anchors: tuple[str, ...]

    @property
    def sure(self) -> bool:
        return self.confidence >= SET_AT


# --- roles: which photos place others, which may be placed ----------------------------------------------------


def placeable(photo: Photo) -> bool:
    """Whether inference may set this photo's place: it has a time, and no place that was measured or said (none,
    or an inferred one). A location the user set or cleared is the user's."""
    if "location" in photo.user_fields or taken_seconds(photo.taken_at) is None:
        return False
    return photo.location is None or photo.location.source == Source.INFERRED.value


def place_role(photo: Photo) -> str | None:
    """ANCHOR, OPEN (placeable and processed) or None: the index a photo is in (both stores keep one per role,
    ordered by instant)."""
    if taken_seconds(photo.taken_at) is None or photo.trashed_at is not None:
        return None
    loc = photo.location
    if loc is not None and (loc.source in ANCHOR_SOURCES or "location" in photo.user_fields):
        return ANCHOR
    return OPEN if placeable(photo) and photo.status in FINAL else None


def fix_of(photo: Photo) -> Fix | None:
    """The photo as an anchor, or None when it is not one."""
    ts = taken_seconds(photo.taken_at)
    if place_role(photo) != ANCHOR or ts is None or photo.location is None:
        return None
    return Fix(photo.id, ts, photo.location.lat, photo.location.lon)


# --- the estimate ------------------------------------------------------------------------------------------------


def estimate(ts: float, before: Fix | None, after: Fix | None, *, window_s: int = WINDOW_S) -> Estimate | None:
    """Where a photo taken at `ts` was taken, from the nearest anchors before and after it (None when the anchors
    are too far in time, imply an implausible speed, or are missing)."""
    before = before if before is not None and 0 <= ts - before.ts <= window_s else None
    after = after if after is not None and 0 <= after.ts - ts <= window_s else None
    if before is not None and after is not None:
        return _between(ts, before, after)
    lone = before or after
    if lone is None or abs(ts - lone.ts) > ONE_SIDED_S:
        return None
    minutes = abs(ts - lone.ts) / 60
    km = LONE_KMH * minutes / 60
    when = "before" if lone is before else "after"
    return Estimate(round(lone.lat, 6), round(lone.lon, 6), min(_confidence(km), SET_AT - 0.01),
                    f"Your photo taken {_minutes(minutes)} {when} this one was taken there.", (lone.photo_id,))


def _between(ts: float, before: Fix, after: Fix) -> Estimate | None:
    gap_s = after.ts - before.ts
    km = haversine_km(before.lat, before.lon, after.lat, after.lon)
    if gap_s <= 0:
        if km > 0.5:
            return None
        frac = 0.5
    else:
        if km / (gap_s / 3600) > MAX_SPEED_KMH and km > 1.0:
            return None
        frac = (ts - before.ts) / gap_s
    dlon = (after.lon - before.lon + 540) % 360 - 180  # the short way round, across the antimeridian too
    lat = before.lat + frac * (after.lat - before.lat)
    lon = (before.lon + frac * dlon + 540) % 360 - 180
    nearest_h = min(ts - before.ts, after.ts - ts) / 3600
    uncertainty = PATH_SLACK * km * 2 * min(frac, 1 - frac) + WANDER_KMH * nearest_h
    reason = (f"Your photos taken {_minutes((ts - before.ts) / 60)} before and {_minutes((after.ts - ts) / 60)} "
              f"after this one were {_km(km)} apart; it was placed on the way between them.")
    return Estimate(round(lat, 6), round(lon, 6), _confidence(uncertainty), reason, (before.photo_id, after.photo_id))


def _confidence(uncertainty_km: float) -> float:
    return round(1.0 / (1.0 + max(0.0, uncertainty_km) / UNCERTAINTY_UNIT_KM), 3)


def _minutes(minutes: float) -> str:
    if minutes < 1:
        return "less than a minute"
    if minutes < 90:
        return f"{round(minutes)} minute{'' if round(minutes) == 1 else 's'}"
    return f"{minutes / 60:.1f} hours"


def _km(km: float) -> str:
    return f"{km * 1000:.0f} m" if km < 1 else f"{km:.1f} km"


# --- what an estimate changes ------------------------------------------------------------------------------------


def apply_inferred(photo: Photo, est: Estimate, place: Place | None) -> bool:
    """Set the inferred place on a photo that may have one (never over a measured or a user's place). False when
    nothing changes (the change helper then writes nothing)."""
    if not placeable(photo) or not est.sure:
        return False
    new = Location(lat=est.lat, lon=est.lon, source=Source.INFERRED.value, place=place, confidence=est.confidence)
    if photo.location == new:
        return False
    photo.location = new
    return True


def place_name(place: Place | None) -> str | None:
    """The name a question shows: the city, else the region, else the country."""
    if place is None:
        return None
    return place.city or place.region or place.country


def suggest(question: Question, est: Estimate, place: Place | None) -> Question | None:
    """The location question carrying the estimate as its suggestion ("Taken in Arezzo?", yes or no), or None when
    nothing changes: the user declined a suggestion on it, it is closed, or it already says the same."""
    if question.suggestion_declined or question.status != "open" or est.sure:
        return None
    name = place_name(place)
    text = f"Taken in {name}?" if name else "Taken here?"
    sug = Suggestion(lat=est.lat, lon=est.lon, place=place, confidence=est.confidence, reason=est.reason)
    if question.suggestion == sug and question.text == text:
        return None
    return replace(question, suggestion=sug, text=text, choices=["yes", "no"])


def decline(question: Question) -> Question:
    """The user said no to the suggestion: the question asks where again, and proposes nothing more."""
    return replace(question, suggestion=None, suggestion_declined=True, text=WHERE, choices=None)


def accepted_location(sug: Suggestion) -> Location:
    """The place a yes accepts: the user's from now on (never overwritten, an anchor for other photos)."""
    return Location(lat=sug.lat, lon=sug.lon, source=Source.USER.value, place=sug.place)

