"""Duplicates (issue 15 item 2): the lookups that find a new photo's candidates, and duplicate groups.

The lookup rows are written by the photo's own write (a photo's index: SQLite's dup_keys rows beside its search
rows, DynamoDB's `IX#<owner>#DK#<key>` items beside its other index items), from domain.duplicates.lookup_keys
of its fingerprint, and a trashed photo has none; so a lookup never meets a photo in the trash and costs what
the keys hold, never the library.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ..domain.duplicates import DuplicateGroup, Fingerprint, Probe
from ..domain.model import Page, Photo


@dataclass(frozen=True)
class Candidate:
    photo_id: str
    fingerprint: Fingerprint


class DuplicateStore(Protocol):
    # --- lookups ----------------------------------------------------------------------------------------------

    def candidates(self, owner_id: str, keys: Sequence[str | Probe], *, limit: int = 500) -> list[Candidate]:
        """The owner's photos in the library stored under any of the keys (domain.duplicates.key_rows), each
        once, with the fingerprint it was stored with, at most `limit` (through an index of the keys: no pass
        over the library). A Probe (domain.duplicates.probes) meets a stored row of its key only when
        domain.duplicates.near_enough(row's near, probe's near); a plain key meets every row of it."""

    def taken_between(self, owner_id: str, start: str, end: str, *, limit: int = 50) -> list[Photo]:
        """The owner's photos in the library whose list position (taken_at, else uploaded_at, as
        "YYYY-MM-DDTHH:MM:SS") is between start and end inclusive: bursts, through the list's own index."""

    # --- groups -----------------------------------------------------------------------------------------------

    def get_group(self, group_id: str, owner_id: str) -> DuplicateGroup | None:
        """The owner's open group; another owner's is None, as a missing one."""

    def group_of(self, photo_id: str, owner_id: str) -> DuplicateGroup | None:
        """The open group the photo is in, or None."""

    def list_groups(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of the owner's open DuplicateGroups, in a stable order (by id)."""

    def save_group(self, group: DuplicateGroup, *, previous: DuplicateGroup | None) -> DuplicateGroup:
        """Create the group (previous None) or replace `previous` (the version read), claiming each photo added
        and releasing each photo dropped, in one atomic write. ConcurrentUpdate, and nothing written, when the
        group changed since it was read, or a photo added is in another open group (a photo is in at most
        one). Returns the group with its version bumped."""

    def delete_group(self, group: DuplicateGroup, *, dismissed: bool = False) -> None:
        """Remove the open group and release its photos, atomically, if its version is still `group.version`
        (else ConcurrentUpdate; a group already gone is a no-op). dismissed: remember its photos as dismissed
        together (dismissals), so they are never grouped together again."""

    def dismissals(self, owner_id: str, photo_ids: list[str]) -> dict[str, set[str]]:
        """Photo id -> ids of the dismissed groups it was in (photos never in one: absent)."""

    def forget_photo(self, owner_id: str, photo_id: str) -> None:
        """A photo deleted for good: its dismissals go (its group was updated before). Idempotent."""
