"""Batch edits (issue 15.5): what one batch asks of its photos, the record kept for its undo, and the rules of
shifting a time and of a camera's identity. The per-photo change and its undo are photo rules
(domain.photo_rules.apply_batch_edit, restore_batch_fields), so every photo change stays in one module.

A batch remembers, for each photo it changed, the values of the fields it changed as they were before (and only
those fields): undoing restores them and touches nothing else, so an edit the user made meanwhile to another
field survives the undo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .model import Camera
from .text import name_key

MAX_BATCH_PHOTOS = 1000
MAX_SHIFT_S = 100 * 366 * 86400  # a century either way: a wrong clock, not a typo of the year 20126
KEEP_DAYS = 30  # a batch can be undone for this long; then its record expires


@dataclass(frozen=True)
class BatchEdit:
    """The operations of one batch, already validated. `values`: fields to set (title, description, taken_at,
    location: a Location whose source is the user's); `shift_s`: seconds to move taken_at by (0: none)."""

    values: dict[str, Any] = field(default_factory=dict)
    shift_s: int = 0
    add_labels: tuple[str, ...] = ()
    remove_labels: tuple[str, ...] = ()

    def changes_photos(self) -> bool:
        return bool(self.values or self.shift_s or self.add_labels or self.remove_labels)


@dataclass
class Batch:
    """One batch edit of an owner: the selection, what changed, and whether it was undone. Expires (TTL) at
    expires_at (ISO UTC), after which it is as missing."""

    id: str
    owner_id: str
    created_at: str
    expires_at: str
    photo_ids: list[str]
    updated: int = 0
    album_id: str | None = None
    operations: dict[str, Any] = field(default_factory=dict)  # the request, as JSON (what the batch did)
    undone_at: str | None = None


@dataclass
class BatchPhoto:
    """One photo of a batch: the before-values of the fields the batch changed on it (photo_rules'
    snapshot, JSON-able), and whether the batch added it to the album (then undo takes it out again)."""

    photo_id: str
    before: dict[str, Any] = field(default_factory=dict)
    added_to_album: bool = False


def shift_time(taken_at: str, seconds: int) -> str:
    """taken_at moved by seconds, in the form it was given: a naive time stays naive, an offset stays the same
    offset (a camera clock that was wrong is wrong by the same amount, whatever its zone). ValueError when
    taken_at is not an ISO date-time or the result leaves years 1..9999."""
    text = taken_at.strip()
    zulu = text.endswith("Z")
    dt = datetime.fromisoformat(text[:-1] + "+00:00" if zulu else text)
    try:
        moved = dt + timedelta(seconds=seconds)
    except OverflowError as exc:
        raise ValueError("the shifted time is out of range") from exc
    out = moved.isoformat(timespec="microseconds" if moved.microsecond else "seconds")
    return out[:-6] + "Z" if zulu and out.endswith("+00:00") else out


def same_camera(camera: Camera | None, make: str | None, model: str | None) -> bool:
    """Whether a photo's camera is the one named: each part given equals the photo's, ignoring case, accents
    and spacing; a part not given (None) matches any."""
    if camera is None:
        return False
    for wanted, have in ((make, camera.make), (model, camera.model)):
        if wanted is not None and name_key(wanted) != name_key(have or ""):
            return False
    return True

