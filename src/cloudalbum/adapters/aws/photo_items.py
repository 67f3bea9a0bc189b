"""A photo's item in the table: its attributes written from a Photo, and the Photo read back. Photos write these
items; albums and the search index read them too (a membership, a cover, a candidate re-checked), so the item's
layout lives here, once, rather than in one of them.
"""

from __future__ import annotations

import json
from typing import Any

from ...domain.model import Photo, photo_from_dict, to_dict
from . import keys as K
from .table import N, S, Table, n, s


def photo_attrs(photo: Photo) -> dict[str, Any]:
    """The attributes a photo item has besides its key and album map (GSI keys included)."""
    doc = to_dict(photo)
    doc.pop("albums", None)  # membership lives in the item's `albums` map, changed without a version bump
    pos = K.position(photo)
    attrs: dict[str, Any] = {
        "doc": S(json.dumps(doc, separators=(",", ":"), ensure_ascii=False)), "version": N(photo.version),
        "owner_id": S(photo.owner_id), "status": S(photo.status), "bytes": N(int(photo.bytes)),
        "uploaded_at": S(photo.uploaded_at),
        "GSI1PK": S(K.owner_photos_pk(photo.owner_id)), "GSI1SK": S(pos),
        "GSI2PK": S(K.owner_status_pk(photo.owner_id, photo.status)), "GSI2SK": S(pos),
    }
    if photo.trashed_at is not None:  # out of every list, in the owner's trash and the purge's index instead
        attrs["trashed_at"] = S(photo.trashed_at)
        trashed = S(K.stale_sk(photo.trashed_at, photo.id))  # UTC time, then id
        attrs.update(GSI1PK=S(K.owner_trash_pk(photo.owner_id)), GSI1SK=trashed,
                     GSI3PK=S(K.trash_shard_pk(K.shard_of(photo.id))), GSI3SK=trashed)
        del attrs["GSI2PK"], attrs["GSI2SK"]
    elif photo.status in K.STALE_STATUSES:
        attrs["GSI3PK"] = S(K.stale_pk(photo.status, photo.id))
        attrs["GSI3SK"] = S(K.stale_sk(photo.uploaded_at, photo.id))
    return attrs


def photo_of(item: dict[str, Any]) -> Photo:
    photo = photo_from_dict(json.loads(item["doc"]["S"]))
    photo.version = int(n(item, "version"))
    photo.albums = album_ids(item)
    return photo


def album_ids(item: dict[str, Any]) -> list[str]:
    """The photo item's album ids, oldest membership first (`albums` maps album id -> time it was added)."""
    members = item.get("albums", {}).get("M", {})
    return [a for a, _ in sorted(members.items(), key=lambda kv: (kv[1].get("S", ""), kv[0]))]


def read_photo(table: Table, photo_id: str, owner_id: str | None, *, trashed: bool = False) -> Photo | None:
    """The photo (one consistent GetItem); another owner's is None, as a missing one (owner_id None: any), and
    so is one in the trash unless `trashed`."""
    item = table.get(K.photo_key(photo_id))
    if item is None or (owner_id is not None and s(item, "owner_id") != owner_id):
        return None
    if "trashed_at" in item and not trashed:
        return None
    return photo_of(item)


def read_photos(table: Table, ids: list[str]) -> list[Photo]:
    """The photos of ids that exist, in the order of ids (BatchGetItem)."""
    found = {p.id: p for p in (photo_of(it) for it in table.batch_get([K.photo_key(i) for i in ids]))}
    return [found[i] for i in ids if i in found]
