"""GPS tracks (issue 16 item 3): where a track says the owner was when a photo was taken. Pure rules.

A track is a list of timed points (UTC instants). A photo taken within the track's time span is placed by linear
interpolation between the points on either side of its instant, unless they are more than MAX_GAP_S apart (the
receiver lost its fix, or the track was paused: the path between is unknown). A photo's time without a UTC
offset is the camera's wall clock; the zone given with the track (or UTC) turns it into an instant. A track
never replaces a measured (EXIF) or a user's place; it does replace an inferred one.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from .model import Location, Photo, Place, Source
from .places import placeable

MAX_GAP_S = 10 * 60
MAX_OFFSET_S = 14 * 3600  # the widest UTC offset: how far a wall-clock time may be from its instant


@dataclass(frozen=True)
class TrackPoint:
    ts: float  # epoch seconds (UTC)
    lat: float
    lon: float


def position_at(points: list[TrackPoint], ts: float, *, max_gap_s: float = MAX_GAP_S) -> tuple[float, float] | None:
    """Where the track was at ts: interpolated between the points around it (points sorted by ts), or None
    outside the track or across a gap over max_gap_s."""
    if not points or ts < points[0].ts or ts > points[-1].ts:
        return None
    i = bisect.bisect_left([p.ts for p in points], ts)
    if points[i].ts == ts:
        return points[i].lat, points[i].lon
    a, b = points[i - 1], points[i]
    if b.ts - a.ts > max_gap_s:
        return None
    f = (ts - a.ts) / (b.ts - a.ts)
    dlon = (b.lon - a.lon + 540) % 360 - 180
    return round(a.lat + f * (b.lat - a.lat), 6), round((a.lon + f * dlon + 540) % 360 - 180, 6)


def photo_instant(taken_at: str | None, zone: tzinfo | None) -> float | None:
    """The instant a photo was taken: its own offset when it has one, else its wall-clock time in `zone`
    (None: UTC). None without a readable time."""
    if not taken_at:
        return None
    try:
        dt = datetime.fromisoformat(taken_at.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=zone or UTC)
    return dt.timestamp()


def apply_track(photo: Photo, lat: float, lon: float, place: Place | None) -> bool:
    """Place the photo on the track; False (nothing to write) for a photo whose place was measured or said, or
    that is already there."""
    if not placeable(photo):
        return False
    new = Location(lat=lat, lon=lon, source=Source.TRACK.value, place=place)
    if photo.location == new:
        return False
    photo.location = new
    return True
