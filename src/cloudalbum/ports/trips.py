"""Trips (issue 16 item 5): the owner's trips as found by domain.trips, and the photo reads that find them."""

from __future__ import annotations

from typing import Protocol

from ..domain.model import Page
from ..domain.trips import Trip


class TripStore(Protocol):
    """An owner's trips (they never overlap in time) and the time-ordered read of the owner's photos they are
    computed from. Another owner's trip is None, as a missing one."""

    def photos_between(self, owner_id: str, first_key: str, last_key: str, *, limit: int = 200,
                       cursor: str | None = None) -> Page:
        """Page of the owner's live photos whose list sort key ("YYYY-MM-DDTHH:MM:SS" of the UTC taken instant,
        keys.sort_key / the photos.sort_key column) lies in [first_key, last_key], oldest first (ties by id).
        Served by the owner's newest-first list index read forwards (SQLite photos_owner_sort, DynamoDB GSI1
        OWNER#<id>#PHOTOS), never a pass over the library. Photos without a taken time sort by upload time:
        callers skip them."""

    def trips_overlapping(self, owner_id: str, start_s: float, end_s: float) -> list[Trip]:
        """The owner's trips whose [start_s, end_s] meets the given span, oldest first."""

    def list_trips(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of Trip, newest first (by start), ties by id."""

    def get_trip(self, owner_id: str, trip_id: str) -> Trip | None: ...

    def replace_trips(self, owner_id: str, remove: list[str], put: list[Trip]) -> None:
        """Delete the trips `remove` names and write `put` (new or changed, whole). Idempotent."""

    def claim_window(self, owner_id: str, window: str, *, now: float, stale_s: float) -> bool:
        """Mark the owner's window ("YYYY-MM") as waiting for a recompute: True for the caller that marked it
        (it sends the job), False when it was already marked less than stale_s ago (a job is on its way: the
        change is coalesced into it). A mark older than stale_s (its job lost) is taken over."""

    def release_window(self, owner_id: str, window: str) -> None:
        """Clear the mark (the job starts, so later changes send a new one). Idempotent."""

    def delete_owner_trips(self, owner_id: str) -> None:
        """Every trip and window mark of the owner (account deletion). Idempotent."""
