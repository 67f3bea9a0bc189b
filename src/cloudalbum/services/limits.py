"""Per-user limits (DESIGN.md: "one user cannot hurt another"): the storage quota and counted requests.

The store does the counting atomically (ports.LimitStore); this service turns settings into checks and the
checks into domain errors: QuotaExceeded (507 quota_exceeded) and Throttled (429 with Retry-After). A limit of
0 means none.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..config import Settings
from ..domain.errors import QuotaExceeded, Throttled
from ..ports import LimitStore

HOUR_S = 3600
# What each counted request is called, and the setting that bounds it per user per hour.
RATES = {"upload": "uploads_per_hour", "reprocess": "reprocess_per_hour", "face_scan": "face_scans_per_hour"}
WHAT = {"upload": "uploads", "reprocess": "reprocess requests", "face_scan": "face scans"}


def limit_key(owner_id: str, what: str) -> str:
    """The key the owner's counted requests of one kind (a key of RATES) are kept under."""
    return f"limit:{what}:{owner_id}"


def limit_keys(owner_id: str) -> list[str]:
    return [limit_key(owner_id, what) for what in RATES]


class LimitsService:
    def __init__(self, limits: LimitStore, settings: Settings, clock: Callable[[], float] = time.time) -> None:
        self.limits = limits
        self.settings = settings
        self.clock = clock

    def quota_bytes(self) -> int | None:
        """The per-user quota in bytes of originals; None: no quota."""
        return self.settings.quota_bytes if self.settings.quota_bytes > 0 else None

    def count(self, owner_id: str, what: str) -> None:
        """Count one request of the owner (upload, reprocess, face_scan); Throttled when the hour's limit is
        reached (the request is then not counted)."""
        limit = int(getattr(self.settings, RATES[what]))
        if limit <= 0:
            return
        wait = self.limits.take_slot(limit_key(owner_id, what), limit=limit, window_s=HOUR_S, now=self.clock())
        if wait > 0:
            raise Throttled(f"Too many {WHAT[what]}: at most {limit} an hour. Try again later.",
                            retry_after_s=max(1, math.ceil(wait)))

    @contextmanager
    def reserved(self, owner_id: str, nbytes: int) -> Iterator[str | None]:
        """Hold nbytes of the owner's quota while an upload is stored and recorded, yielding the reservation (None
        without a quota) for the record to take over (add_photo(reservation=...)); QuotaExceeded (nothing
        stored) when they do not fit. Released afterwards in any case (idempotent): a failed upload gives its
        bytes back."""
        quota = self.quota_bytes()
        if quota is None:
            yield None
            return
        reservation = self.limits.reserve_bytes(owner_id, nbytes, limit=quota, now=self.clock())
        if reservation is None:
            raise QuotaExceeded(f"This upload would take your storage past your quota of {quota:,} bytes. "
                                "Delete photos to make room.")
        try:
            yield reservation
        finally:
            self.limits.release_bytes(owner_id, reservation)


__all__ = ["LimitsService", "HOUR_S"]
