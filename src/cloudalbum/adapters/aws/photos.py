"""DynamoDB photos (the PhotoStore port): the photo item (photo_items.py), its identical-bytes claim, the owner's
usage counter, and the pending blob cleanups maintenance works through.

Consistency in brief: a photo item is written with a condition on its version (optimistic, ConcurrentUpdate
when another writer won); its search index items are derived from it and written after it in batches, and
every read through an index re-checks the photo itself, so an index item that is stale (a crash between the
two writes, a race) never yields a wrong answer and is cleaned when met (index_items.py).
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

from ...domain.errors import ConcurrentUpdate, Conflict, NotFound
from ...domain.model import Page, Photo
from ...domain.timeline import month_of
from ...ports import PendingBlobs
from . import keys as K
from .albums import DynamoAlbums
from .faces import DynamoFaces
from .index_items import IndexItems
from .photo_items import photo_attrs, photo_of, read_photo
from .questions import DynamoQuestions
from .table import N, S, Table, av_key, cancellation_codes, n, s

MAX_DELETE_RETRIES = 5


class DynamoPhotos:
    """Photos: one item each (the whole Photo as JSON in `doc`), conditional on `version`. A photo's write
    carries what is derived from it: its index items (`items`), its albums' counts (`albums`), and on delete its
    questions and faces."""

    def __init__(self, table: Table, items: IndexItems, albums: DynamoAlbums, questions: DynamoQuestions,
                 faces: DynamoFaces) -> None:
        self.table, self.client = table, table.client
        self.items, self.albums, self.questions, self.faces = items, albums, questions, faces

    def add_photo(self, photo: Photo, *, reservation: str | None = None) -> None:
        # `albums` maps album id -> when it joined; albums given here join in their order, before later ones
        joined = {a: S(f"{photo.uploaded_at}~{i:04d}") for i, a in enumerate(dict.fromkeys(photo.albums))}
        item = {**av_key(K.photo_key(photo.id)), **photo_attrs(photo), "albums": {"M": joined}}
        usage: dict[str, Any] = {"TableName": self.table.name, "Key": av_key(K.usage_key(photo.owner_id)),
                                 "UpdateExpression": "ADD photo_count :one, stored_bytes :b",
                                 "ExpressionAttributeValues": {":one": N(1), ":b": N(int(photo.bytes))}}
        if reservation is not None:  # the reservation's bytes become the photo's in the same write (issue 12)
            usage["UpdateExpression"] += ", quota_rv :one REMOVE quota_reserved.#r"
            usage["ExpressionAttributeNames"] = {"#r": reservation}
        ops: list[dict[str, Any]] = [
            {"Put": {"TableName": self.table.name, "Item": item, "ConditionExpression": "attribute_not_exists(PK)"}},
            {"Update": usage},
        ]
        if photo.sha256:  # identical bytes once per owner: the claim is part of the record's write
            ops.append({"Put": {"TableName": self.table.name, "ConditionExpression": "attribute_not_exists(PK)",
                                "Item": {**av_key(K.sha_key(photo.owner_id, photo.sha256)),
                                         "photo_id": S(photo.id)}}})
        ops.append(self._month_count(photo, 1))
        try:
            self.client.transact_write_items(TransactItems=ops)
        except self.client.exceptions.TransactionCanceledException as exc:
            codes = cancellation_codes(exc)
            if len(codes) > 2 and codes[2] == "ConditionalCheckFailed":
                raise Conflict("the owner already has a photo with these bytes", code="duplicate_photo") from exc
            if "ConditionalCheckFailed" in codes:
                raise Conflict(f"photo {photo.id} already exists") from exc
            raise self.table.unavailable(exc) from exc
        self.items.write({}, K.index_entries(photo, photo.albums))
        for album_id in dict.fromkeys(photo.albums):
            self.albums.count_member(album_id, 1)

    def photo_by_sha256(self, owner_id: str, sha256: str) -> Photo | None:
        """The owner's photo with these bytes: its SHA# claim item, then the photo (two GetItems, no query)."""
        claim = self.table.get(K.sha_key(owner_id, sha256))
        return self.get_photo(s(claim, "photo_id") or "", owner_id, trashed=True) if claim is not None else None

    def get_photo(self, photo_id: str, owner_id: str | None, *, trashed: bool = False) -> Photo | None:
        return read_photo(self.table, photo_id, owner_id, trashed=trashed)

    def save_photo(self, photo: Photo) -> Photo:
        saved = dataclasses.replace(photo, version=photo.version + 1)
        attrs = photo_attrs(saved)
        names = {f"#a{i}": name for i, name in enumerate(attrs)}
        values = {f":v{i}": value for i, value in enumerate(attrs.values())}
        update = "SET " + ", ".join(f"#a{i} = :v{i}" for i in range(len(attrs)))
        gone = [a for a in ("GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK", "trashed_at") if a not in attrs]
        if gone:  # sparse indexes the photo leaves (GSI3: no longer unfinished; GSI2: trashed), the trash mark
            names.update({f"#r{i}": a for i, a in enumerate(gone)})
            update += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(gone)))
        names["#ver"] = "version"
        values[":old"] = N(photo.version)
        try:
            resp = self.client.update_item(
                TableName=self.table.name, Key=av_key(K.photo_key(photo.id)), UpdateExpression=update,
                ConditionExpression="attribute_exists(PK) AND #ver = :old", ExpressionAttributeNames=names,
                ExpressionAttributeValues=values, ReturnValues="ALL_OLD")
        except self.client.exceptions.ConditionalCheckFailedException as exc:
            if self.table.get(K.photo_key(photo.id)) is None:
                raise NotFound(f"photo {photo.id} not found") from exc
            raise ConcurrentUpdate(f"photo {photo.id} was changed by someone else; reload and retry") from exc
        old = photo_of(resp["Attributes"])
        saved.albums = old.albums
        if old.bytes != saved.bytes or old.owner_id != saved.owner_id:
            self._add_usage(old.owner_id, -1, -int(old.bytes), trashed=old.trashed_at is not None)
            self._add_usage(saved.owner_id, 1, int(saved.bytes), trashed=saved.trashed_at is not None)
        if (old.trashed_at is None) != (saved.trashed_at is None):
            self._move_trash(saved, to_trash=saved.trashed_at is not None)
        months = self._month_moves(old, saved)
        if months:
            self.client.transact_write_items(TransactItems=months)
        self.items.write(_entries(old, old.albums), _entries(saved, old.albums))
        return saved

    def reposition(self, photo_id: str) -> bool:
        """The photo item's GSI1SK and GSI2SK (only while they still hold the old position: a save since wrote
        the new one), then its index items: the old position's deleted, the new one's put (K.index_entries)."""
        item = self.table.get(K.photo_key(photo_id))
        if item is None or "trashed_at" in item:
            return False
        photo = photo_of(item)
        old_key = K.wall_sort_key(photo)
        if old_key == K.sort_key(photo):
            return False
        old_pos, new_pos = K.position(photo, old_key), K.position(photo)
        moved = True
        try:
            self.client.update_item(
                TableName=self.table.name, Key=av_key(K.photo_key(photo_id)),
                UpdateExpression="SET GSI1SK = :new, GSI2SK = :new", ConditionExpression="GSI1SK = :old",
                ExpressionAttributeValues={":new": S(new_pos), ":old": S(old_pos)})
        except self.client.exceptions.ConditionalCheckFailedException:
            moved = False  # moved already (by a save, or an earlier pass)
        self.items.write(K.index_entries(photo, photo.albums, old_key), K.index_entries(photo, photo.albums))
        return moved

    def _month_moves(self, old: Photo, saved: Photo) -> list[dict[str, Any]]:
        """The timeline counter updates a save makes: a photo counts in its month while it is in the library, so
        a new month, a move into the trash or out of it moves one."""
        deltas: dict[tuple[str, str | None], int] = {}
        for photo, step in ((old, -1), (saved, 1)):
            if photo.trashed_at is None:
                key = (photo.owner_id, month_of(photo.taken_at))
                deltas[key] = deltas.get(key, 0) + step
        return [self._month_count_of(owner, month, delta) for (owner, month), delta in deltas.items() if delta]

    def _month_count(self, photo: Photo, delta: int) -> dict[str, Any]:
        """The transaction item moving the owner's timeline counter of the photo's month (K.month_key)."""
        return self._month_count_of(photo.owner_id, month_of(photo.taken_at), delta)

    def _month_count_of(self, owner_id: str, month: str | None, delta: int) -> dict[str, Any]:
        return {"Update": {"TableName": self.table.name, "Key": av_key(K.month_key(owner_id, month)),
                           "UpdateExpression": "ADD #c :d", "ExpressionAttributeNames": {"#c": "count"},
                           "ExpressionAttributeValues": {":d": N(delta)}}}

    def _move_trash(self, photo: Photo, *, to_trash: bool) -> None:
        """What a move into (or out of) the trash changes besides the photo item: the owner's photo and trash
        counts, its albums' counts and its open questions' place in the owner's list."""
        step = 1 if to_trash else -1
        self.client.update_item(TableName=self.table.name, Key=av_key(K.usage_key(photo.owner_id)),
                                UpdateExpression="ADD photo_count :c, trash_count :t",
                                ExpressionAttributeValues={":c": N(-step), ":t": N(step)})
        for album_id in photo.albums:
            self.albums.count_member(album_id, -step)
        self.questions.hide_of_photo(photo.id, hidden=to_trash)

    def _add_usage(self, owner_id: str, count: int, nbytes: int, *, trashed: bool = False) -> None:
        counter = "trash_count" if trashed else "photo_count"
        self.client.update_item(TableName=self.table.name, Key=av_key(K.usage_key(owner_id)),
                                UpdateExpression=f"ADD {counter} :c, stored_bytes :b",
                                ExpressionAttributeValues={":c": N(count), ":b": N(nbytes)})

    def delete_photo(self, photo_id: str, *, version: int | None = None) -> None:
        """One transaction removes the photo and moves the owner's usage and its albums' counts (conditional
        on the version read, retried on a race); then its index items, questions and faces go, in batches.
        A photo already gone still has its questions and faces removed: a worker may have written some after
        the delete (issue 12, item 8)."""
        for _ in range(MAX_DELETE_RETRIES):
            item = self.table.get(K.photo_key(photo_id))
            if item is None:
                self.questions.delete_of_photo(photo_id)
                self.faces.delete_of_photo(photo_id)
                return
            photo = photo_of(item)
            if version is not None and photo.version != version:
                raise ConcurrentUpdate(f"photo {photo_id} was changed by someone else; reload and retry")
            if self._delete_photo_item(photo):
                break
        else:
            raise ConcurrentUpdate(f"photo {photo_id} kept changing while being deleted; try again")
        self.items.write(_entries(photo, photo.albums), {})
        self.questions.delete_of_photo(photo_id)
        self.faces.delete_of_photo(photo_id)

    def _delete_photo_item(self, photo: Photo) -> bool:
        trashed = photo.trashed_at is not None  # it left the photo count and its albums' counts already
        ops: list[dict[str, Any]] = [
            {"Delete": {"TableName": self.table.name, "Key": av_key(K.photo_key(photo.id)),
                        "ConditionExpression": "#ver = :v", "ExpressionAttributeNames": {"#ver": "version"},
                        "ExpressionAttributeValues": {":v": N(photo.version)}}},
            {"Update": {"TableName": self.table.name, "Key": av_key(K.usage_key(photo.owner_id)),
                        "UpdateExpression": f"ADD {'trash_count' if trashed else 'photo_count'} :c, stored_bytes :b",
                        "ExpressionAttributeValues": {":c": N(-1), ":b": N(-int(photo.bytes))}}},
        ]
        if photo.sha256:  # its bytes may come again as a new photo
            sha = K.sha_key(photo.owner_id, photo.sha256)
            ops.append({"Delete": {"TableName": self.table.name, "Key": av_key(sha)}})
        if not trashed:
            ops.append(self._month_count(photo, -1))
        for album_id in [] if trashed else photo.albums[:96]:  # TransactWriteItems takes 100 items
            ops.append({"Update": {"TableName": self.table.name, "Key": av_key(K.album_key(album_id)),
                                   "UpdateExpression": "ADD photo_count :m",
                                   "ConditionExpression": "attribute_exists(PK)",
                                   "ExpressionAttributeValues": {":m": N(-1)}}})
        try:
            self.client.transact_write_items(TransactItems=ops)
            return True
        except self.client.exceptions.TransactionCanceledException as exc:
            codes = cancellation_codes(exc)
            if codes and codes[0] == "ConditionalCheckFailed":
                return False  # changed since read: read again
            if "ConditionalCheckFailed" in codes:  # an album went away meanwhile: drop it from the set, retry
                self.albums.prune_missing(photo)
                return False
            raise self.table.unavailable(exc) from exc

    def list_photos(self, owner_id: str, *, status: str | None = None, limit: int = 50,
                    cursor: str | None = None) -> Page:
        index, pk = ("GSI2", K.owner_status_pk(owner_id, status)) if status else ("GSI1", K.owner_photos_pk(owner_id))
        return self._photo_page(index, pk, limit, cursor)

    def _photo_page(self, index: str, pk: str, limit: int, cursor: str | None) -> Page:
        """A newest-first page of one GSI partition of photo items (projected whole: no extra reads)."""
        items, next_cursor = self.table.gsi_page(index, pk, limit=limit, cursor=cursor)
        return Page(items=[photo_of(it) for it in items], next_cursor=next_cursor)

    def list_trash(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """The owner's trash: the GSI1 partition trashed photos move to (their list partition's place)."""
        return self._photo_page("GSI1", K.owner_trash_pk(owner_id), limit, cursor)

    def trashed_before(self, before: str, *, limit: int = 100) -> list[Photo]:
        """Oldest first, from every shard of GSI3's trash partitions (one Query each while little is due)."""
        found: list[tuple[str, dict[str, Any]]] = []
        for shard in range(K.PENDING_SHARDS):
            items = self.table.query(index="GSI3", pk_name="GSI3PK", pk=K.trash_shard_pk(shard), sk_name="GSI3SK",
                                     sk_cond="#sk < :t", values={":t": S(K.utc_iso(before))}, page=min(limit, 1000))
            found += [(s(item, "GSI3SK") or "", item) for item in itertools.islice(items, limit)]
        found.sort(key=lambda pair: pair[0])
        return [photo_of(item) for _, item in found[:limit]]

    def usage(self, owner_id: str) -> tuple[int, int]:
        item = self.table.get(K.usage_key(owner_id)) or {}
        return int(n(item, "photo_count")), int(n(item, "stored_bytes"))

    def stale_photos(self, status: str, *, older_than: str, limit: int = 100) -> list[Photo]:
        """Oldest first, from every shard of the sparse GSI3 (one Query each while little is pending)."""
        if status not in K.STALE_STATUSES:
            return []  # only unfinished photos can be stale; the sparse index holds no others
        found: list[tuple[str, dict[str, Any]]] = []
        for shard in range(K.PENDING_SHARDS):
            items = self.table.query(index="GSI3", pk_name="GSI3PK", pk=K.stale_shard_pk(status, shard),
                                     sk_name="GSI3SK", sk_cond="#sk < :t", values={":t": S(K.utc_iso(older_than))},
                                     page=min(limit, 1000))
            found += [(s(item, "GSI3SK") or "", item) for item in itertools.islice(items, limit)]
        found.sort(key=lambda pair: pair[0])
        return [photo_of(item) for _, item in found[:limit]]

    # --- pending blob cleanups (maintenance's index of work, not of the library) ---------------------------

    def add_pending_blobs(self, pending: PendingBlobs) -> None:
        item = {**av_key(K.pending_key(pending.photo_id, pending.since)), "owner_id": S(pending.owner_id),
                "photo_id": S(pending.photo_id), "since": S(pending.since)}
        self.client.put_item(TableName=self.table.name, Item=item)

    def remove_pending_blobs(self, pending: PendingBlobs) -> None:
        self.client.delete_item(TableName=self.table.name, Key=av_key(K.pending_key(pending.photo_id, pending.since)))

    def pending_blobs(self, *, older_than: str, limit: int = 100) -> list[PendingBlobs]:
        """Oldest first, from every shard (one strongly consistent Query each while little is pending)."""
        found: list[PendingBlobs] = []
        for shard in range(K.PENDING_SHARDS):
            items = self.table.query(pk=K.pending_shard_pk(shard), sk_cond="#sk < :t", values={":t": S(older_than)},
                                     page=min(limit, 1000), consistent=True)
            found += [PendingBlobs(photo_id=s(it, "photo_id") or "", owner_id=s(it, "owner_id") or "",
                                   since=s(it, "since") or "") for it in itertools.islice(items, limit)]
        found.sort(key=lambda p: (p.since, p.photo_id))
        return found[:limit]


def _entries(photo: Photo, albums: list[str]) -> dict[str, dict[str, Any]]:
    """The photo's search index items: none while it is in the trash (nothing finds it, at no query cost)."""
    return {} if photo.trashed_at is not None else K.index_entries(photo, albums)
