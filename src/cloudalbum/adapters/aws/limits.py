"""DynamoDB per-user limits (the LimitStore port), conditional writes only.

* Quota: the owner's USAGE item (`stored_bytes`, kept by add_photo and delete_photo in their transactions)
  gains `quota_reserved`, a map of reservation id -> "<bytes>:<expiry epoch>", and `quota_rv`, its version.
  A reservation reads the item, checks stored + live reservations + new <= limit, and writes the new map on
  condition that neither `quota_rv` nor `stored_bytes` moved since the read (a compare-and-set; retried when it
  lost a race).
  DynamoDB conditions cannot add, so the sum is checked in code and made atomic by the condition.
* Counted events: one item per key (`LIMIT#<key>`) holding the current fixed window's start and count; an event
  is one conditional update (`n < :limit` in this window) or a reset of an older window. Expired by TTL.
* Face scans: one item per owner (`OWNER#<id>` / `FACESCAN`: the worker reads it, and may not read `USER#`),
  claimed on condition that no other scan is in flight; its own item, so writing the face grouping setting never
  touches it.
"""

from __future__ import annotations

from typing import Any

from ...domain.errors import ConcurrentUpdate
from ...domain.model import new_id
from ...ports import RESERVATION_TTL_S, FaceScan
from . import keys as K
from .table import N, S, Table, av_key, n, s

CAS_ATTEMPTS = 16


def _live(reserved: dict[str, Any], now: float) -> dict[str, tuple[int, float]]:
    out = {}
    for rid, value in reserved.items():
        size, _, expires = value.get("S", "0:0").partition(":")
        if float(expires) > now:
            out[rid] = (int(size), float(expires))
    return out


class DynamoLimits:
    def __init__(self, table: Table) -> None:
        self.table, self.client = table, table.client

    # --- quota ----------------------------------------------------------------------------------------------

    def reserve_bytes(self, owner_id: str, nbytes: int, *, limit: int, now: float) -> str | None:
        for _ in range(CAS_ATTEMPTS):
            item = self.table.get(K.usage_key(owner_id)) or {}
            live = _live(item.get("quota_reserved", {}).get("M", {}), now)
            if int(n(item, "stored_bytes")) + sum(size for size, _ in live.values()) + nbytes > limit:
                return None
            reservation_id = new_id()
            live[reservation_id] = (nbytes, now + RESERVATION_TTL_S)
            if self._write_reservations(owner_id, item, live):
                return reservation_id
        raise ConcurrentUpdate("Uploads of this account keep racing; try again.")

    def _write_reservations(self, owner_id: str, item: dict[str, Any], live: dict[str, tuple[int, float]]) -> bool:
        conds, values = [], {":map": {"M": {rid: S(f"{size}:{exp:.3f}") for rid, (size, exp) in live.items()}},
                             ":one": N(1)}
        if "quota_rv" in item:
            conds.append("quota_rv = :rv")
            values[":rv"] = item["quota_rv"]
        else:
            conds.append("attribute_not_exists(quota_rv)")
        if "stored_bytes" in item:
            conds.append("stored_bytes = :b")
            values[":b"] = item["stored_bytes"]
        else:
            conds.append("attribute_not_exists(stored_bytes)")
        try:
            self.client.update_item(TableName=self.table.name, Key=av_key(K.usage_key(owner_id)),
                                    UpdateExpression="SET quota_reserved = :map ADD quota_rv :one",
                                    ConditionExpression=" AND ".join(conds), ExpressionAttributeValues=values)
            return True
        except self.client.exceptions.ConditionalCheckFailedException:
            return False

    def release_bytes(self, owner_id: str, reservation_id: str) -> None:
        try:
            self.client.update_item(TableName=self.table.name, Key=av_key(K.usage_key(owner_id)),
                                    UpdateExpression="REMOVE quota_reserved.#r ADD quota_rv :one",
                                    ConditionExpression="attribute_exists(quota_reserved.#r)",
                                    ExpressionAttributeNames={"#r": reservation_id},
                                    ExpressionAttributeValues={":one": N(1)})
        except self.client.exceptions.ConditionalCheckFailedException:
            pass  # released already, or expired and dropped by a later reservation

    # --- counted events -----------------------------------------------------------------------------------

    def take_slot(self, key: str, *, limit: int, window_s: int, now: float) -> float:
        start = float(int(now // window_s) * window_s)
        ttl = N(int(start + 2 * window_s))
        for _ in range(CAS_ATTEMPTS):
            try:  # an event in the current window, below the limit
                self.client.update_item(
                    TableName=self.table.name, Key=av_key(K.limit_key(key)), UpdateExpression="ADD win_count :one",
                    ConditionExpression="win_start = :w AND win_count < :limit",
                    ExpressionAttributeValues={":one": N(1), ":w": N(start), ":limit": N(limit)})
                return 0.0
            except self.client.exceptions.ConditionalCheckFailedException:
                pass
            item = self.table.get(K.limit_key(key)) or {}
            if "win_start" in item and n(item, "win_start") >= start:
                if n(item, "win_count") >= limit:
                    return max(1.0, start + window_s - now)  # this window is full
                continue  # another request opened this window meanwhile: count in it
            try:  # the first event of a new window
                self.client.update_item(
                    TableName=self.table.name, Key=av_key(K.limit_key(key)),
                    UpdateExpression=f"SET win_start = :w, win_count = :one, {K.TTL_ATTRIBUTE} = :ttl",
                    ConditionExpression="attribute_not_exists(win_start) OR win_start < :w",
                    ExpressionAttributeValues={":one": N(1), ":w": N(start), ":ttl": ttl})
                return 0.0 if limit >= 1 else float(window_s)
            except self.client.exceptions.ConditionalCheckFailedException:
                continue  # someone else opened the window: count in it
        raise ConcurrentUpdate("Too many requests at once; try again.")

    # --- face scans -----------------------------------------------------------------------------------------

    def claim_face_scan(self, owner_id: str, scan_id: str, *, now: float, stale_after_s: float) -> bool:
        try:
            self.client.put_item(
                TableName=self.table.name, Item={**av_key(K.face_scan_key(owner_id)), "scan_id": S(scan_id),
                                                 "scan_at": N(now), "scan_done": {"BOOL": False}},
                ConditionExpression="attribute_not_exists(PK) OR scan_done = :t OR scan_at <= :stale",
                ExpressionAttributeValues={":t": {"BOOL": True}, ":stale": N(now - stale_after_s)})
            return True
        except self.client.exceptions.ConditionalCheckFailedException:
            return False

    def face_scan(self, owner_id: str) -> FaceScan | None:
        item = self.table.get(K.face_scan_key(owner_id))
        if item is None:
            return None
        done = bool(item.get("scan_done", {}).get("BOOL", False))
        return FaceScan(s(item, "scan_id") or "", n(item, "scan_at"), done)

    def touch_face_scan(self, owner_id: str, scan_id: str, *, now: float, done: bool = False) -> bool:
        try:
            self.client.update_item(
                TableName=self.table.name, Key=av_key(K.face_scan_key(owner_id)),
                UpdateExpression="SET scan_at = :now, scan_done = :d",
                ConditionExpression="scan_id = :id",
                ExpressionAttributeValues={":now": N(now), ":d": {"BOOL": done}, ":id": S(scan_id)})
            return True
        except self.client.exceptions.ConditionalCheckFailedException:
            return False

    def clear_face_scan(self, owner_id: str) -> None:
        self.client.delete_item(TableName=self.table.name, Key=av_key(K.face_scan_key(owner_id)))

    def forget_slots(self, key: str) -> None:
        self.client.delete_item(TableName=self.table.name, Key=av_key(K.limit_key(key)))

    def trash_count(self, owner_id: str) -> int:
        item = self.table.get(K.usage_key(owner_id)) or {}  # moved by every trash, restore and delete
        return max(0, int(n(item, "trash_count")))
