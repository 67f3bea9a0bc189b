"""DynamoDB duplicates (issue 15.2; the DuplicateStore port):

* lookups: the photo's `IX#<owner>#DK#<key>` index items (keys.index_entries, written with its other index items,
  none while it is in the trash), one strongly consistent Query per key; each item carries the fingerprint;
* bursts: a range of the owner's list (GSI1, by position) around the photo's camera time;
* groups, under the owner (keys.dup_key): `DUPG#<id>` (doc, version), `DUPM#<photo>` (its open group: one item
  per photo, so a photo is in at most one group by construction), `DUPX#<photo>#<group>` (a dismissal).
  A group and its members' claims change in one transaction, conditional on the group's version and on each
  claim being free: a lost race is ConcurrentUpdate and nothing is written.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from itertools import takewhile
from typing import Any

from ...domain.duplicates import DuplicateGroup, Fingerprint, Probe, as_probe, near_enough
from ...domain.errors import ConcurrentUpdate
from ...domain.model import Page, Photo
from ...ports.duplicates import Candidate
from . import cursors as C
from . import keys as K
from .photo_items import photo_of
from .table import N, S, Table, av_key, cancellation_codes, cut_page, item_key, s

GROUP, MEMBER, DISMISSED = "DUPG", "DUPM", "DUPX"


class DynamoDuplicates:
    def __init__(self, table: Table) -> None:
        self.table, self.client = table, table.client

    def candidates(self, owner_id: str, keys: Sequence[str | Probe], *, limit: int = 500) -> list[Candidate]:
        """One Query per distinct key; the prefilter runs on the items read (a Query costs its read units
        whatever a filter keeps, so it saves the fingerprints' decoding, not reads: docs/duplicates.md)."""
        found: dict[str, Candidate] = {}
        wanted: dict[str, list[str]] = {}
        for probe in map(as_probe, keys):
            wanted.setdefault(probe.key, []).append(probe.near)
        for key, nears in wanted.items():
            for item in self.table.query(pk=K.ix_pk(owner_id, "DK", key), consistent=True,
                                         projection="photo_id, fp, #near",
                                         names={"#near": "near"}):
                pid, fp = s(item, "photo_id"), s(item, "fp")
                if not (pid and fp) or pid in found or not any(near_enough(s(item, "near"), n) for n in nears):
                    continue
                found[pid] = Candidate(pid, Fingerprint.from_text(fp))
                if len(found) >= limit:
                    return list(found.values())
        return list(found.values())

    def taken_between(self, owner_id: str, start: str, end: str, *, limit: int = 50) -> list[Photo]:
        items = self.table.query(index="GSI1", pk_name="GSI1PK", pk=K.owner_photos_pk(owner_id), sk_name="GSI1SK",
                                 sk_cond="#sk BETWEEN :lo AND :hi", values={":lo": S(start), ":hi": S(end + "~")},
                                 forward=False, page=min(limit, 1000))
        out = []
        for item in items:
            out.append(photo_of(item))
            if len(out) >= limit:
                break
        return out

    # --- groups ---------------------------------------------------------------------------------------------

    def get_group(self, group_id: str, owner_id: str) -> DuplicateGroup | None:
        item = self.table.get(K.dup_key(owner_id, GROUP, group_id)) if group_id and "#" not in group_id else None
        return _group(item) if item is not None else None

    def group_of(self, photo_id: str, owner_id: str) -> DuplicateGroup | None:
        claim = self.table.get(K.dup_key(owner_id, MEMBER, photo_id))
        return self.get_group(s(claim, "group_id") or "", owner_id) if claim is not None else None

    def list_groups(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """By id: the owner partition's DUPG# items, read from after the cursor's group until the first item that
        is not a group (DUPG# sorts before the owner's other items of that range)."""
        limit = max(1, limit)
        prefix = K.dup_key(owner_id, GROUP, "")["SK"]
        cond, values = "begins_with(#sk, :p)", {":p": S(prefix)}
        if cursor:
            cond, values = "#sk > :after", {":after": S(C.decode_position(cursor))}
        items, next_cursor = cut_page(
            takewhile(lambda it: (s(it, "SK") or "").startswith(prefix),
                      self.table.query(pk=K.owner_pk(owner_id), sk_cond=cond, values=values, consistent=True,
                                       page=min(limit + 1, 1000))), limit, "SK")
        return Page([_group(it) for it in items], next_cursor)

    def save_group(self, group: DuplicateGroup, *, previous: DuplicateGroup | None) -> DuplicateGroup:
        saved = dataclasses.replace(group, version=(previous.version if previous else group.version) + 1)
        item = {**av_key(K.dup_key(group.owner_id, GROUP, group.id)), "doc": S(_doc(saved)),
                "version": N(saved.version)}
        put: dict[str, Any] = {"TableName": self.table.name, "Item": item}
        if previous is None:
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            put.update(ConditionExpression="version = :old", ExpressionAttributeValues={":old": N(previous.version)})
        ops: list[dict[str, Any]] = [{"Put": put}]
        before = set(previous.photo_ids) if previous else set()
        for pid in saved.photo_ids:
            if pid not in before:
                ops.append({"Put": {"TableName": self.table.name, "ConditionExpression": "attribute_not_exists(PK)",
                                    "Item": {**av_key(K.dup_key(group.owner_id, MEMBER, pid)),
                                             "group_id": S(group.id)}}})
        for pid in before - set(saved.photo_ids):
            ops.append(self._release(group, pid))
        self._transact(ops, group)
        return saved

    def _release(self, group: DuplicateGroup, photo_id: str) -> dict[str, Any]:
        return {"Delete": {"TableName": self.table.name, "Key": av_key(K.dup_key(group.owner_id, MEMBER, photo_id)),
                           "ConditionExpression": "attribute_not_exists(PK) OR group_id = :g",
                           "ExpressionAttributeValues": {":g": S(group.id)}}}

    def _transact(self, ops: list[dict[str, Any]], group: DuplicateGroup) -> None:
        try:
            self.client.transact_write_items(TransactItems=ops)
        except self.client.exceptions.TransactionCanceledException as exc:
            if "ConditionalCheckFailed" in cancellation_codes(exc):
                raise ConcurrentUpdate(f"duplicate group {group.id} or one of its photos changed; read again") \
                    from exc
            raise self.table.unavailable(exc) from exc

    def delete_group(self, group: DuplicateGroup, *, dismissed: bool = False) -> None:
        if self.table.get(K.dup_key(group.owner_id, GROUP, group.id)) is None:
            return
        ops: list[dict[str, Any]] = [{"Delete": {
            "TableName": self.table.name, "Key": av_key(K.dup_key(group.owner_id, GROUP, group.id)),
            "ConditionExpression": "version = :v", "ExpressionAttributeValues": {":v": N(group.version)}}}]
        ops += [self._release(group, pid) for pid in group.photo_ids]
        if dismissed:
            ops += [{"Put": {"TableName": self.table.name,
                             "Item": av_key(K.dup_key(group.owner_id, DISMISSED, pid, group.id))}}
                    for pid in group.photo_ids]
        self._transact(ops, group)

    def dismissals(self, owner_id: str, photo_ids: list[str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for pid in dict.fromkeys(photo_ids):
            prefix = K.dup_key(owner_id, DISMISSED, pid, "")["SK"]
            for item in self.table.query(pk=K.owner_pk(owner_id), sk_cond="begins_with(#sk, :p)",
                                         values={":p": S(prefix)}, consistent=True, projection="SK"):
                out.setdefault(pid, set()).add((s(item, "SK") or "")[len(prefix):])
        return out

    def forget_photo(self, owner_id: str, photo_id: str) -> None:
        prefix = K.dup_key(owner_id, DISMISSED, photo_id, "")["SK"]
        items = list(self.table.query(pk=K.owner_pk(owner_id), sk_cond="begins_with(#sk, :p)",
                                      values={":p": S(prefix)}, consistent=True, projection="PK, SK"))
        self.table.batch_write(deletes=[item_key(it) for it in items])

    def delete_owner_groups(self, owner_id: str) -> None:
        """Every group, claim and dismissal of the owner (account deletion)."""
        items = list(self.table.query(pk=K.owner_pk(owner_id), sk_cond="begins_with(#sk, :p)",
                                      values={":p": S("DUP")}, consistent=True, projection="PK, SK"))
        self.table.batch_write(deletes=[item_key(it) for it in items])


def _doc(group: DuplicateGroup) -> str:
    d = dataclasses.asdict(group)
    d.pop("version")
    return json.dumps(d, separators=(",", ":"))


def _group(item: dict[str, Any]) -> DuplicateGroup:
    return DuplicateGroup(**json.loads(item["doc"]["S"]), version=int(item["version"]["N"]))
