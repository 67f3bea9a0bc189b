"""Batch edits: the record each batch leaves so that it can be undone once (domain.batches)."""

from __future__ import annotations

from typing import Protocol

from ..domain.batches import Batch, BatchPhoto


class BatchStore(Protocol):
    """Batches of one owner. A batch past its expires_at is as missing (and the store removes it: SQLite as
    batches are added, DynamoDB by its TTL). Another owner's batch is None, as a missing one."""

    def add_batch(self, batch: Batch) -> None:
        """Record a new batch (before its photos change)."""

    def add_batch_photos(self, batch_id: str, owner_id: str, photos: list[BatchPhoto]) -> None:
        """Record the before-values of photos the batch changed (called in chunks as it goes), and count them
        into the batch's `updated`. Each photo is recorded once per batch (the selection has no duplicates)."""

    def get_batch(self, batch_id: str, owner_id: str, *, now: str) -> Batch | None:
        """The owner's batch, or None when missing, another owner's or expired at `now` (ISO UTC)."""

    def batch_photos(self, batch_id: str, owner_id: str) -> list[BatchPhoto]:
        """Every photo entry of the batch (any order)."""

    def mark_undone(self, batch_id: str, owner_id: str, *, at: str) -> bool:
        """Atomically set undone_at: True for the one caller that did, False when it was already undone (or
        the batch is gone), so a batch is undone at most once even when two undos race."""

    def delete_owner_batches(self, owner_id: str) -> None:
        """Every batch of the owner and its entries (account deletion). Idempotent."""
