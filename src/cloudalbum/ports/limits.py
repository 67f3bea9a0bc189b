"""Per-user limits: atomic in every store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass
class FaceScan:
    """The owner's library scan for faces: its id, when it last moved (a step ran) and whether it is done."""

    scan_id: str
    at: float
    done: bool = False


class LimitStore(Protocol):
    """What keeps one user from hurting the others: byte reservations against a quota, counted events per
    window, and at most one face scan in flight per owner. Every method is atomic (no check-then-act race
    between API processes or workers)."""

    def reserve_bytes(self, owner_id: str, nbytes: int, *, limit: int, now: float) -> str | None:
        """If the owner's stored bytes (originals) plus unexpired reservations plus nbytes fit in limit, record a
        reservation (expiring after RESERVATION_TTL_S) and return its id; None (nothing recorded) otherwise."""

    def release_bytes(self, owner_id: str, reservation_id: str) -> None:
        """Idempotent."""

    def take_slot(self, key: str, *, limit: int, window_s: int, now: float) -> float:
        """Count one event under key if fewer than limit were counted in the current window, returning 0; else
        count nothing and return the seconds until an event may be counted again (Retry-After)."""

    def claim_face_scan(self, owner_id: str, scan_id: str, *, now: float, stale_after_s: float) -> bool:
        """Make scan_id the owner's scan unless another one is in flight (not done, moved within
        stale_after_s)."""

    def face_scan(self, owner_id: str) -> FaceScan | None: ...

    def touch_face_scan(self, owner_id: str, scan_id: str, *, now: float, done: bool = False) -> bool:
        """Record that scan_id moved (or finished); False, changing nothing, when it is not the owner's scan."""

    def clear_face_scan(self, owner_id: str) -> None:
        """No scan any more (face grouping turned off): jobs of earlier scans do nothing."""

    def forget_slots(self, key: str) -> None:
        """Every event counted under key (the account it names is deleted). Idempotent."""

    def trash_count(self, owner_id: str) -> int:
        """Photos in the trash (counted through an index or counter of trashed photos, never a scan)."""


RESERVATION_TTL_S = 3600  # an upload's reservation outlives any upload; a crashed one stops counting then

