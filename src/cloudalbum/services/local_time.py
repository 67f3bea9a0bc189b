"""A photo's local time (issue 16 item 1): the offset of a camera's naive time, for processing.

The order is domain.times.local_time's: EXIF's offset, the GPS time stamp's, the zone at the GPS position (a
port: ports.TimeZoneFinder, loaded on first use and only when the earlier sources gave nothing), the owner's
time zone setting. What the user set by hand is never passed here (photo_rules.apply_analysis keeps it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from ..domain import times
from ..ports import TimeZoneFinder


class CameraTime(Protocol):
    """What the file's metadata said about when and where (media.exif.ExifData)."""

    taken_at: str | None
    gps_time: str | None
    lat: float | None
    lon: float | None


class LocalTimes:
    def __init__(self, zones: Callable[[], TimeZoneFinder] | None,
                 account_zone: Callable[[str], str | None] | None) -> None:
        self.zones = zones  # the zone at a GPS position, loaded on first use (None: not looked up)
        self.account_zone = account_zone  # the owner's time zone setting (None: not used)

    def resolve(self, owner_id: str, meta: CameraTime) -> tuple[str | None, str | None]:
        """(taken_at with its offset when one is found, the offset's source or None)."""
        def zone_here() -> str | None:
            if self.zones is None or meta.lat is None or meta.lon is None:
                return None
            return self.zones().zone_at(meta.lat, meta.lon)

        def account_zone() -> str | None:
            return self.account_zone(owner_id) if self.account_zone is not None else None

        return times.local_time(meta.taken_at, gps_utc=meta.gps_time, zone_here=zone_here,
                                account_zone=account_zone)
