"""DynamoDB albums (the AlbumStore port): album items, and each photo's membership as an entry of the photo item's
`albums` map plus an `A` index item. An album's photo count moves in the same transaction as the membership
(docs/dynamodb.md).
"""

from __future__ import annotations

from typing import Any

from ...domain.errors import NotFound
from ...domain.model import Album, Page, Photo, iso, utcnow
from . import cursors as C
from . import keys as K
from .index_items import IndexItems, Source, page_of
from .photo_items import photo_of, read_photo, read_photos
from .shares import DynamoShares
from .table import N, S, Table, av_key, cancellation_codes, n, s


def album_item(album: Album) -> dict[str, Any]:
    item: dict[str, Any] = {
        **av_key(K.album_key(album.id)), "owner_id": S(album.owner_id), "name": S(album.name),
        "created_at": S(album.created_at), "updated_at": S(album.updated_at),
        "GSI1PK": S(K.owner_albums_pk(album.owner_id)), "GSI1SK": S(f"{album.created_at}#{album.id}"),
        "photo_count": N(0),
    }
    if album.description is not None:
        item["description"] = S(album.description)
    if album.cover_photo_id:
        item["cover_photo_id"] = S(album.cover_photo_id)
    return item


class DynamoAlbums:
    """Album items (counts kept by transactions with the membership change) and membership index items.

    The album's member and contribution items (sharing) share its partition: deleting an album has `shares`
    remove them first."""

    def __init__(self, table: Table, items: IndexItems, shares: DynamoShares) -> None:
        self.table, self.client, self.items, self.shares = table, table.client, items, shares

    def _album_of(self, item: dict[str, Any]) -> Album:
        album_id = (s(item, "PK") or "").split("#", 1)[1]
        album = Album(id=album_id, owner_id=s(item, "owner_id") or "", name=s(item, "name") or "",
                      created_at=s(item, "created_at") or "", updated_at=s(item, "updated_at") or "",
                      description=s(item, "description"), photo_count=max(0, int(n(item, "photo_count"))),
                      cover_photo_id=s(item, "cover_photo_id"))
        album.cover_photo_id = self._cover(album)
        return album

    def _cover(self, album: Album) -> str | None:
        """The explicit cover while it is in the album, else the newest member."""
        if album.cover_photo_id:
            photo = read_photo(self.table, album.cover_photo_id, album.owner_id)
            if photo is not None and album.id in photo.albums:
                return photo.id
        source = Source(None, (K.ix_pk(album.owner_id, "A", album.id),))
        for photo, _pos in self.items.resolve(self.items.stream(source, None), lambda p: album.id in p.albums):
            return photo.id
        return None

    def add_album(self, album: Album) -> None:
        self.client.put_item(TableName=self.table.name, Item=album_item(album),
                             ConditionExpression="attribute_not_exists(PK)")

    def get_album(self, album_id: str, owner_id: str) -> Album | None:
        item = self.table.get(K.album_key(album_id))
        if item is None or s(item, "owner_id") != owner_id:
            return None
        return self._album_of(item)

    def album_name(self, owner_id: str, album_id: str) -> str | None:
        """The name of the owner's album (one GetItem, no cover lookup): a search's match reason."""
        item = self.table.get(K.album_key(album_id))
        return s(item, "name") if item and s(item, "owner_id") == owner_id else None

    def list_albums(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Newest album first."""
        items, next_cursor = self.table.gsi_page("GSI1", K.owner_albums_pk(owner_id), limit=limit, cursor=cursor)
        return Page([self._album_of(it) for it in items], next_cursor)

    def save_album(self, album: Album) -> Album:
        values: dict[str, Any] = {":name": S(album.name), ":upd": S(album.updated_at), ":owner": S(album.owner_id)}
        sets, removes = ["#name = :name", "updated_at = :upd"], []
        for attr, value in (("description", album.description), ("cover_photo_id", album.cover_photo_id)):
            if value is None:
                removes.append(attr)
            else:
                sets.append(f"{attr} = :{attr}")
                values[f":{attr}"] = S(value)
        update = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        try:
            self.client.update_item(TableName=self.table.name, Key=av_key(K.album_key(album.id)),
                                    UpdateExpression=update,
                                    ConditionExpression="attribute_exists(PK) AND owner_id = :owner",
                                    ExpressionAttributeNames={"#name": "name"}, ExpressionAttributeValues=values)
        except self.client.exceptions.ConditionalCheckFailedException as exc:
            raise NotFound(f"album {album.id} not found") from exc
        saved = self.get_album(album.id, album.owner_id)
        if saved is None:
            raise NotFound(f"album {album.id} not found")
        return saved

    def delete_album(self, album_id: str) -> None:
        """The album's sharing items go first (they share its partition), then each member forgets the album,
        its membership items go, then the album item."""
        self.shares.forget_album(album_id)
        item = self.table.get(K.album_key(album_id))
        if item is None:
            return
        pk = K.ix_pk(s(item, "owner_id") or "", "A", album_id)
        members = [(s(it, "photo_id") or "", s(it, "SK") or "") for it in self.table.query(pk=pk, consistent=True)]
        for photo_id in dict.fromkeys(pid for pid, _ in members):
            self._forget_album(photo_id, album_id)
        self.table.batch_write(deletes=[{"PK": pk, "SK": sk} for _, sk in members])
        self.client.delete_item(TableName=self.table.name, Key=av_key(K.album_key(album_id)))

    def _forget_album(self, photo_id: str, album_id: str) -> None:
        try:
            self.client.update_item(TableName=self.table.name, Key=av_key(K.photo_key(photo_id)),
                                    UpdateExpression="REMOVE albums.#a", ConditionExpression="attribute_exists(PK)",
                                    ExpressionAttributeNames={"#a": album_id})
        except self.client.exceptions.ConditionalCheckFailedException:
            pass  # the photo is gone

    def add_to_album(self, album_id: str, photo_ids: list[str]) -> None:
        """Idempotent per photo; only the album owner's photos join. Per photo, one transaction adds it to the
        photo's album map (if absent) and counts it on the album; then its membership index item is written."""
        album = self.table.get(K.album_key(album_id))
        if album is None:
            raise NotFound(f"album {album_id} not found")
        owner, now = s(album, "owner_id") or "", iso(utcnow())
        photos = read_photos(self.table, list(dict.fromkeys(photo_ids)))
        joined = []
        for photo in photos:
            if photo.owner_id != owner or album_id in photo.albums or photo.trashed_at is not None:
                continue
            if self._join(photo, album_id, owner, now):
                joined.append(photo)
        for photo in joined:  # the item must carry the photo's current position: re-read after the join
            self._write_membership(photo.id, album_id)

    def _join(self, photo: Photo, album_id: str, owner: str, now: str) -> bool:
        joined_at = utcnow().isoformat()  # microseconds: the photo's albums keep their join order
        try:
            self.client.transact_write_items(TransactItems=[
                {"Update": {"TableName": self.table.name, "Key": av_key(K.photo_key(photo.id)),
                            "UpdateExpression": "SET albums.#a = :at",
                            "ConditionExpression": "attribute_exists(PK) AND owner_id = :o AND "
                                                   "attribute_not_exists(albums.#a) AND "
                                                   "attribute_not_exists(trashed_at)",
                            "ExpressionAttributeNames": {"#a": album_id},
                            "ExpressionAttributeValues": {":at": S(joined_at), ":o": S(owner)}}},
                {"Update": {"TableName": self.table.name, "Key": av_key(K.album_key(album_id)),
                            "UpdateExpression": "ADD photo_count :one SET updated_at = :now",
                            "ConditionExpression": "attribute_exists(PK)",
                            "ExpressionAttributeValues": {":one": N(1), ":now": S(now)}}},
            ])
            return True
        except self.client.exceptions.TransactionCanceledException as exc:
            codes = cancellation_codes(exc)
            if codes and codes[-1] == "ConditionalCheckFailed":
                raise NotFound(f"album {album_id} not found") from exc
            if "ConditionalCheckFailed" in codes:
                return False  # already a member (a concurrent add), or the photo went away
            raise self.table.unavailable(exc) from exc

    def _write_membership(self, photo_id: str, album_id: str) -> None:
        item = self.table.get(K.photo_key(photo_id))
        if item is None:
            return
        photo = photo_of(item)
        if album_id in photo.albums:
            self.client.put_item(TableName=self.table.name, Item={
                "PK": S(K.ix_pk(photo.owner_id, "A", album_id)), "SK": S(K.position(photo)), "photo_id": S(photo.id)})

    def remove_from_album(self, album_id: str, photo_id: str) -> None:
        item = self.table.get(K.photo_key(photo_id))
        if item is None:
            return
        photo = photo_of(item)
        if album_id not in photo.albums:
            return
        try:
            self.client.transact_write_items(TransactItems=[
                {"Update": {"TableName": self.table.name, "Key": av_key(K.photo_key(photo_id)),
                            "UpdateExpression": "REMOVE albums.#a",
                            "ConditionExpression": "attribute_exists(albums.#a)",
                            "ExpressionAttributeNames": {"#a": album_id}}},
                {"Update": {"TableName": self.table.name, "Key": av_key(K.album_key(album_id)),
                            "UpdateExpression": "ADD photo_count :m SET updated_at = :now",
                            "ConditionExpression": "attribute_exists(PK)",
                            "ExpressionAttributeValues": {":m": N(-1), ":now": S(iso(utcnow()))}}},
            ])
        except self.client.exceptions.TransactionCanceledException as exc:
            if "ConditionalCheckFailed" not in cancellation_codes(exc):
                raise self.table.unavailable(exc) from exc
            return  # removed meanwhile, or the album is gone (delete_album cleans up)
        self.client.delete_item(TableName=self.table.name, Key=av_key(
            {"PK": K.ix_pk(photo.owner_id, "A", album_id), "SK": K.position(photo)}))

    def album_photos(self, album_id: str, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Newest taken first (as list_photos)."""
        after = C.decode_position(cursor) if cursor else None
        stream = self.items.stream(Source(None, (K.ix_pk(owner_id, "A", album_id),)), after)
        return page_of(self.items.resolve(stream, lambda p: album_id in p.albums and p.owner_id == owner_id),
                       limit, lambda photo, _pos: photo)

    # --- the photos' side: counts moved and memberships pruned by photo writes ------------------------------

    def count_member(self, album_id: str, delta: int) -> None:
        """Move an album's photo count (an album that does not exist is left alone)."""
        try:
            self.client.update_item(TableName=self.table.name, Key=av_key(K.album_key(album_id)),
                                    UpdateExpression="ADD photo_count :d", ConditionExpression="attribute_exists(PK)",
                                    ExpressionAttributeValues={":d": N(delta)})
        except self.client.exceptions.ConditionalCheckFailedException:
            pass

    def prune_missing(self, photo: Photo) -> None:
        """Drop the albums that no longer exist from the photo item's album map (a delete raced an album's)."""
        existing = {s(it, "PK") for it in self.table.batch_get([K.album_key(a) for a in photo.albums])}
        gone = [a for a in photo.albums if K.album_key(a)["PK"] not in existing]
        if gone:
            names = {f"#a{i}": a for i, a in enumerate(gone)}
            self.client.update_item(TableName=self.table.name, Key=av_key(K.photo_key(photo.id)),
                                    UpdateExpression="REMOVE " + ", ".join(f"albums.{k}" for k in names),
                                    ConditionExpression="attribute_exists(PK)", ExpressionAttributeNames=names)
