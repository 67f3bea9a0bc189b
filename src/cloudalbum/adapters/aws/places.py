"""DynamoDB place index (the PlaceIndex port): the owner's anchors and open photos by instant, read from the
index items `IX#<owner>#PR#anchor` and `IX#<owner>#PR#open` (keys.place_pk; SK instants.instant_sk), written
with each photo's other index items (keys.index_entries). A Query of one partition, a few items long, answers
each question. As everywhere, a candidate's photo is re-read before it counts: an item whose photo is gone or
has another role or instant now (a crash between the photo's write and its items') is skipped and deleted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...domain.model import Photo
from ...domain.places import ANCHOR, OPEN, Fix, fix_of, place_role
from ...domain.times import taken_seconds
from . import keys as K
from .instants import instant_bound, instant_sk
from .photo_items import photo_of
from .table import S, Table, s

PEEK = 4  # items read per step while looking for the nearest current anchor


class DynamoPlaceIndex:
    def __init__(self, table: Table) -> None:
        self.table = table

    def fixes_around(self, owner_id: str, ts: float, window_s: int) -> tuple[Fix | None, Fix | None]:
        pk = K.place_pk(owner_id, ANCHOR)
        before = self._current(owner_id, pk, ANCHOR, self._range(
            pk, instant_bound(ts - window_s), instant_bound(ts) + "#~", forward=False))
        after = self._current(owner_id, pk, ANCHOR, self._range(
            pk, instant_bound(ts) + "#~", instant_bound(ts + window_s) + "#~", forward=True))
        fix_before = next((f for f in map(fix_of, before) if f is not None and f.ts <= ts), None)
        fix_after = next((f for f in map(fix_of, after) if f is not None and f.ts > ts), None)
        return fix_before, fix_after

    def open_between(self, owner_id: str, start: float, end: float, *, limit: int) -> list[str]:
        pk = K.place_pk(owner_id, OPEN)
        found = self._current(owner_id, pk, OPEN, self._range(
            pk, instant_bound(start), instant_bound(end) + "#~", forward=True))
        out: list[str] = []
        for photo in found:
            out.append(photo.id)
            if len(out) >= max(1, limit):
                break
        return out

    def _range(self, pk: str, lo: str, hi: str, *, forward: bool) -> Iterator[dict[str, Any]]:
        return self.table.query(pk=pk, sk_cond="#sk BETWEEN :lo AND :hi", values={":lo": S(lo), ":hi": S(hi)},
                                forward=forward, page=PEEK, consistent=True)

    def _current(self, owner_id: str, pk: str, role: str, items: Iterator[dict[str, Any]]) -> Iterator[Photo]:
        """The photos behind index items, in the items' order, that still have this role at this instant; the
        stale items met are deleted. Photos are read PEEK at a time, so the nearest costs one small read."""
        while True:
            chunk = [sk for _, sk in zip(range(PEEK), (s(it, "SK") or "" for it in items), strict=False)]
            if not chunk:
                return
            photos = {p.id: p for p in map(photo_of, self.table.batch_get(
                [K.photo_key(K.photo_id_of(sk)) for sk in chunk]))}
            stale = []
            for sk in chunk:
                photo = photos.get(K.photo_id_of(sk))
                ts = taken_seconds(photo.taken_at) if photo is not None else None
                if (photo is None or ts is None or photo.owner_id != owner_id or place_role(photo) != role
                        or instant_sk(ts, photo.id) != sk):
                    stale.append({"PK": pk, "SK": sk})
                    continue
                yield photo
            if stale:
                self.table.batch_write(deletes=stale)
