"""DynamoDB trips (issue 16 item 5; keys: trip_keys.py): the TripStore port, in the owner's partition.

The photos a recompute reads come from the owner's photo list (GSI1 `OWNER#<owner>#PHOTOS`, GSI1SK = position:
the local sort key, then the id) read ascending between two sort keys: a Query, never a Scan.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ...domain.model import Page
from ...domain.trips import Trip
from . import cursors as C
from . import keys as K
from . import trip_keys as T
from .photo_items import photo_of
from .table import N, S, Table, av_key, cut_page, item_key


class DynamoTrips:
    def __init__(self, table: Table) -> None:
        self.table, self.client = table, table.client

    def photos_between(self, owner_id: str, first_key: str, last_key: str, *, limit: int = 200,
                       cursor: str | None = None) -> Page:
        limit = max(1, limit)
        low, high = f"{first_key}#", f"{last_key}#~"  # every position whose sort key is in [first, last]
        if cursor:  # the next position after the cursor's: ids hold no space, so nothing sorts in between
            low = C.decode_position(cursor) + " "
        cond, values = "#sk BETWEEN :low AND :high", {":low": S(low), ":high": S(high)}
        items, next_cursor = cut_page(
            self.table.query(index="GSI1", pk_name="GSI1PK", pk=K.owner_photos_pk(owner_id), sk_name="GSI1SK",
                             sk_cond=cond, values=values, forward=True, page=min(limit + 1, 1000)), limit, "GSI1SK")
        return Page(items=[photo_of(it) for it in items], next_cursor=next_cursor)

    def trips_overlapping(self, owner_id: str, start_s: float, end_s: float) -> list[Trip]:
        out = []
        for item in self.table.query(index="GSI1", pk_name="GSI1PK", pk=T.owner_trips_pk(owner_id), sk_name="GSI1SK",
                                     sk_cond="#sk <= :high", values={":high": S(T.rank_bound(end_s))},
                                     forward=False, page=20):
            trip = _trip(item)
            if trip.end_s < start_s:  # trips never overlap: every earlier one ends earlier still
                break
            out.append(trip)
        return out[::-1]

    def list_trips(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        items, next_cursor = self.table.gsi_page("GSI1", T.owner_trips_pk(owner_id), limit=limit, cursor=cursor)
        return Page(items=[_trip(it) for it in items], next_cursor=next_cursor)

    def get_trip(self, owner_id: str, trip_id: str) -> Trip | None:
        if "#" in trip_id:
            return None
        item = self.table.get(T.trip_key(owner_id, trip_id))
        return _trip(item) if item is not None and "doc" in item else None

    def replace_trips(self, owner_id: str, remove: list[str], put: list[Trip]) -> None:
        keep = {t.id for t in put}
        self.table.batch_write(
            puts=[{**av_key(T.trip_key(owner_id, t.id)), "doc": S(json.dumps(dataclasses.asdict(t))),
                   "GSI1PK": S(T.owner_trips_pk(owner_id)), "GSI1SK": S(T.trip_rank(t.start_s, t.id))} for t in put],
            deletes=[T.trip_key(owner_id, i) for i in dict.fromkeys(remove) if i not in keep])

    def claim_window(self, owner_id: str, window: str, *, now: float, stale_s: float) -> bool:
        try:
            self.client.put_item(
                TableName=self.table.name, Item={**av_key(T.trip_window_key(owner_id, window)), "claimed_at": N(now)},
                ConditionExpression="attribute_not_exists(PK) OR claimed_at < :stale",
                ExpressionAttributeValues={":stale": N(now - stale_s)})
        except self.client.exceptions.ConditionalCheckFailedException:
            return False  # marked recently: its job is on the way
        return True

    def release_window(self, owner_id: str, window: str) -> None:
        self.client.delete_item(TableName=self.table.name, Key=av_key(T.trip_window_key(owner_id, window)))

    def delete_owner_trips(self, owner_id: str) -> None:
        keys = [item_key(it) for prefix in (T.TRIP_PREFIX, T.TRIP_WINDOW_PREFIX)
                for it in self.table.query(pk=K.owner_pk(owner_id), sk_cond="begins_with(#sk, :p)",
                                           values={":p": S(prefix)}, page=1000, projection="PK, SK")]
        self.table.batch_write(deletes=keys)


def _trip(item: dict[str, Any]) -> Trip:
    return Trip(**json.loads(item["doc"]["S"]))
