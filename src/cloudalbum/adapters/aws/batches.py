"""DynamoDB batch records (issue 15.5; the BatchStore port), all in the owner's partition:

* `OWNER#<owner>` / `BATCH#<id>`: the batch (doc), `updated` (a counter) and `undone_at` (set once, conditionally);
* `OWNER#<owner>` / `BATCH#<id>#P#<photo>`: one photo's before-values, read back by one Query (begins_with).

Every item carries the TTL attribute (keys.TTL_ATTRIBUTE) at the batch's expiry, so DynamoDB removes them; a
batch read after its expiry but before the TTL sweep is treated as missing.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ...domain.batches import Batch, BatchPhoto
from . import keys as K
from .table import N, S, Table, av_key, item_key, n, s
from .users import epoch_of


class DynamoBatches:
    def __init__(self, table: Table) -> None:
        self.table, self.client = table, table.client

    def add_batch(self, batch: Batch) -> None:
        doc = {k: v for k, v in dataclasses.asdict(batch).items() if k not in ("updated", "undone_at")}
        item = {**av_key(K.batch_key(batch.owner_id, batch.id)), "doc": S(json.dumps(doc)),
                "updated": N(batch.updated), K.TTL_ATTRIBUTE: N(epoch_of(batch.expires_at))}
        if batch.undone_at:
            item["undone_at"] = S(batch.undone_at)
        self.client.put_item(TableName=self.table.name, Item=item, ConditionExpression="attribute_not_exists(PK)")

    def add_batch_photos(self, batch_id: str, owner_id: str, photos: list[BatchPhoto]) -> None:
        header = self.table.get(K.batch_key(owner_id, batch_id))
        if not photos or header is None:
            return
        ttl = N(int(n(header, K.TTL_ATTRIBUTE)))
        self.table.batch_write(puts=[
            {**av_key(K.batch_key(owner_id, batch_id, p.photo_id)), "before": S(json.dumps(p.before)),
             "added_to_album": {"BOOL": p.added_to_album}, K.TTL_ATTRIBUTE: ttl} for p in photos])
        self.client.update_item(TableName=self.table.name, Key=av_key(K.batch_key(owner_id, batch_id)),
                                UpdateExpression="ADD updated :n", ExpressionAttributeValues={":n": N(len(photos))})

    def get_batch(self, batch_id: str, owner_id: str, *, now: str) -> Batch | None:
        item = self.table.get(K.batch_key(owner_id, batch_id)) if "#" not in batch_id else None
        if item is None or "doc" not in item:
            return None
        batch = Batch(**json.loads(item["doc"]["S"]), updated=int(n(item, "updated")), undone_at=s(item, "undone_at"))
        return batch if batch.owner_id == owner_id and batch.expires_at > now else None

    def batch_photos(self, batch_id: str, owner_id: str) -> list[BatchPhoto]:
        prefix = K.batch_key(owner_id, batch_id, "")["SK"]
        return [BatchPhoto((s(it, "SK") or "")[len(prefix):], json.loads(it["before"]["S"]),
                           bool(it.get("added_to_album", {}).get("BOOL")))
                for it in self.table.query(pk=K.owner_pk(owner_id), sk_cond="begins_with(#sk, :p)",
                                           values={":p": S(prefix)}, consistent=True)]

    def mark_undone(self, batch_id: str, owner_id: str, *, at: str) -> bool:
        try:
            self.client.update_item(
                TableName=self.table.name, Key=av_key(K.batch_key(owner_id, batch_id)),
                UpdateExpression="SET undone_at = :at",
                ConditionExpression="attribute_exists(PK) AND attribute_not_exists(undone_at)",
                ExpressionAttributeValues={":at": S(at)})
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def delete_owner_batches(self, owner_id: str) -> None:
        items: list[dict[str, Any]] = list(self.table.query(
            pk=K.owner_pk(owner_id), sk_cond="begins_with(#sk, :p)", values={":p": S(K.batch_key(owner_id, "")["SK"])},
            consistent=True, projection="PK, SK"))
        self.table.batch_write(deletes=[item_key(it) for it in items])
