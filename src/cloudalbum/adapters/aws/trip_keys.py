"""The DynamoDB keys of trips (issue 16 item 5), beside keys.py (which stays under 400 lines): everything lives
in the owner's partition `OWNER#<id>`, which the processing function's LeadingKeys allow (keys.WORKER_PREFIXES),
so the worker that recomputes trips needs no new permission.

* `OWNER#<owner>` / `TRIP#<id>`: a trip (`doc`: domain.trips.Trip as JSON), on GSI1 `OWNER#<owner>#TRIPS` /
  trip_rank (its start instant, then its id): GET /api/trips reads it descending, a recompute reads it
  descending from a window's end until a trip ends before the window (trips never overlap).
* `OWNER#<owner>` / `TRIPWIN#<YYYY-MM>`: a window waiting for its recompute (`claimed_at` N): one job per owner
  and window.
"""

from __future__ import annotations

from .keys import owner_pk

TRIP_PREFIX, TRIP_WINDOW_PREFIX = "TRIP#", "TRIPWIN#"
EPOCH_SHIFT = 10 ** 11  # instants before 1970 are negative: shifted, every rank is a positive fixed-width number


def trip_key(owner_id: str, trip_id: str) -> dict[str, str]:
    return {"PK": owner_pk(owner_id), "SK": f"{TRIP_PREFIX}{trip_id}"}


def trip_window_key(owner_id: str, month: str) -> dict[str, str]:
    return {"PK": owner_pk(owner_id), "SK": f"{TRIP_WINDOW_PREFIX}{month}"}


def owner_trips_pk(owner_id: str) -> str:
    """GSI1: an owner's trips by start."""
    return f"OWNER#{owner_id}#TRIPS"


def trip_rank(start_s: float, trip_id: str) -> str:
    """GSI1SK of a trip: ascending = oldest start first, then id."""
    return f"{max(0.0, start_s + EPOCH_SHIFT):016.3f}#{trip_id}"


def rank_bound(start_s: float) -> str:
    """A GSI1SK that sorts after every trip_rank of a trip starting at or before start_s."""
    return f"{max(0.0, start_s + EPOCH_SHIFT):016.3f}#~"
