"""Reading a GPX file (1.0 or 1.1) into timed points, within bounds: gpxpy parses, this module refuses what is
not a track we can use. Every point of every track segment and route, and waypoints, that has a time and a
valid position counts; the rest are skipped. A DOCTYPE (and so any entity declaration) is refused before
parsing: a GPX file has no use for one, and it is how XML bombs get in."""

from __future__ import annotations

import math
from datetime import UTC
from typing import Any

from ..domain.errors import DomainError, TooLarge
from ..domain.tracks import TrackPoint


class BadTrack(DomainError):
    """Not a GPX file we can read, or one without a timed point: nothing changes."""

    code, status = "bad_track", 400


def read_track(data: bytes, *, max_points: int) -> list[TrackPoint]:
    """The file's timed points, oldest first (duplicates of one instant once). BadTrack when it is not GPX or has
    no timed point; TooLarge past max_points."""
    import gpxpy
    import gpxpy.gpx

    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<") or b"<!DOCTYPE" in data[:65536].upper() or b"<!ENTITY" in data.upper():
        raise BadTrack("Not a GPX file (an XML document with <gpx> at its root).")
    try:
        parsed = gpxpy.parse(data.decode("utf-8", errors="strict"))
    except (gpxpy.gpx.GPXException, UnicodeDecodeError, ValueError) as exc:
        raise BadTrack(f"Not a GPX file we can read: {str(exc)[:200]}") from exc
    raw: list[Any] = [p for track in parsed.tracks for segment in track.segments for p in segment.points]
    raw += [p for route in parsed.routes for p in route.points] + list(parsed.waypoints)
    if len(raw) > max_points:
        raise TooLarge(f"The track has more than {max_points} points; split it into smaller files.",
                       code="track_too_large")
    points: dict[float, TrackPoint] = {}
    for p in raw:
        if p.time is None or not _valid(p.latitude, p.longitude):
            continue
        when = p.time if p.time.tzinfo is not None else p.time.replace(tzinfo=UTC)  # GPX times are UTC
        ts = when.timestamp()
        points.setdefault(ts, TrackPoint(ts, float(p.latitude), float(p.longitude)))
    if not points:
        raise BadTrack("The GPX file has no point with a time and a position.", code="empty_track")
    return [points[ts] for ts in sorted(points)]


def _valid(lat: object, lon: object) -> bool:
    return (isinstance(lat, (int, float)) and isinstance(lon, (int, float)) and math.isfinite(lat)
            and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180)
