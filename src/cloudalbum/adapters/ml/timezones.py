"""Offline time zones: a position -> the IANA zone in force there (ports.TimeZoneFinder), for the offset of a
camera's naive time (issue 16 item 1).

Data: timezonefinder's packaged zone boundaries (timezone-boundary-builder, from OpenStreetMap, ODbL), shipped in
the timezonefinder-data wheel; nothing is downloaded. Loaded once per process, lazily, on the first lookup, under
a lock that also serialises lookups (docs/time.md measures the load, the memory and the cost of a lookup). Over
the sea, where the boundaries give no land zone, timezonefinder answers the nautical "Etc/GMT±N" zone.
"""

from __future__ import annotations

import math
import threading
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class OfflineTimeZones:
    """timezonefinder behind ports.TimeZoneFinder: one finder per process, built on first use."""

    _lock = threading.Lock()
    _finder: Any = None

    def zone_at(self, lat: float, lon: float) -> str | None:
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        try:
            with self._lock:  # the finder reads its files through shared handles: one lookup at a time
                name = self._load().timezone_at(lat=lat, lng=lon)
        except ValueError:  # a position the finder refuses
            return None
        if not name:
            return None
        try:
            ZoneInfo(name)  # a zone this machine's tz database lacks is no zone at all (tzdata is a dependency)
        except (ZoneInfoNotFoundError, ValueError):
            return None
        return str(name)

    @classmethod
    def _load(cls) -> Any:
        """The finder, built on first use (the caller holds the lock)."""
        if cls._finder is None:
            from timezonefinder import TimezoneFinder

            cls._finder = TimezoneFinder()  # reads its packaged files (not in_memory)
        return cls._finder
